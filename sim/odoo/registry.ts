/**
 * Odoo's registry reload after a schema change. Creating an `ir.model.fields` row makes Odoo rebuild its model
 * registry inside that request; a request served meanwhile that touches the changed model fails with a
 * `KeyError` on a field key (observed on 19: `KeyError: 'res.partner.image_1024'`). The creating request answers
 * only once the reload is over, so a client calling one request after another never sees the error — only
 * concurrent traffic does. The server turns `check` into each transport's own error shape.
 */
import { keyError } from './exceptions';

/** The field key the failing lookup names, per model (res.partner's is the one a real Odoo 19 reported). */
const FAULT_FIELD: Record<string, string> = { 'res.partner': 'image_1024' };

export class RegistryReload {
  private readonly reloading = new Map<string, number>();

  /** @param windowMs how long a reload lasts; 0 turns the window off */
  constructor(private readonly windowMs: number) {}

  /** Throws Odoo's KeyError when `model` is being reloaded. */
  check(model: string): void {
    if ((this.reloading.get(model) ?? 0) > 0) throw keyError(`${model}.${FAULT_FIELD[model] ?? 'display_name'}`);
  }

  isReloading(model: string): boolean {
    return (this.reloading.get(model) ?? 0) > 0;
  }

  /** Opens the window for `models`; resolves when it closes (the creating request answers then). */
  reload(models: string[]): Promise<void> {
    if (this.windowMs <= 0 || models.length === 0) return Promise.resolve();
    for (const m of models) this.reloading.set(m, (this.reloading.get(m) ?? 0) + 1);
    return new Promise((resolve) => {
      setTimeout(() => {
        for (const m of models) {
          const n = (this.reloading.get(m) ?? 1) - 1;
          if (n <= 0) this.reloading.delete(m);
          else this.reloading.set(m, n);
        }
        resolve();
      }, this.windowMs);
    });
  }
}

/** The models an `ir.model.fields` create changes: its values name the model by `model_id` (an ir.model id) or `model`. */
export function modelsOfFieldCreate(vals: unknown, modelOfId: (id: number) => string | undefined): string[] {
  const list = Array.isArray(vals) ? vals : [vals];
  const out = new Set<string>();
  for (const v of list) {
    if (typeof v !== 'object' || v === null) continue;
    const r = v as { model_id?: unknown; model?: unknown };
    const m = typeof r.model_id === 'number' ? modelOfId(r.model_id) : typeof r.model === 'string' ? r.model : undefined;
    if (m) out.add(m);
  }
  return [...out];
}

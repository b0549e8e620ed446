/**
 * Dictate a contact: record in the browser (or upload a file), preview what the API heard and extracted
 * (POST /crm/voice-contacts with dry_run: nothing is written), correct the fields, confirm (POST /crm/text-contacts
 * with the confirmed contact and an Idempotency-Key, so a repeated click creates nothing twice), and see the
 * partner and lead in Odoo.
 */
import { useEffect, useRef, useState } from 'react';
import { ConsoleApiError, ConsoleAuthError, postJson } from './console-client';
import { useOperator } from './shell/operator';
import { CaptureResult } from './dictate/CaptureResult';
import { DraftForm, type Consents } from './dictate/DraftForm';
import { recordingFileName, useRecorder } from './dictate/recorder';
import type { CaptureAnswer, ContactField, ContactValues, DraftAnswer } from './dictate/types';

type Phase = { kind: 'input' } | { kind: 'preview'; draft: DraftAnswer } | { kind: 'done'; result: CaptureAnswer };

const EMPTY_DRAFT: DraftAnswer = {
  dry_run: true, contact: { firstname: null, lastname: null, email: null, phone: null, needs_check: [] }, needs_check: [], missing: ['name', 'email_or_phone'], phone_from_caller: false,
};

const FIELD_MESSAGES: Partial<Record<ContactField, string>> = {
  email: 'Adresse e-mail invalide (exemple : lina@exemple.com).',
  phone: 'Numéro invalide : saisissez-le avec son indicatif, par exemple +33 6 12 34 56 78.',
};

/** What a failed preview means to the operator. */
function previewProblem(err: unknown): { text: string; manual: boolean } {
  if (err instanceof ConsoleApiError) {
    switch (err.code) {
      case 'nothing_understood': return { text: 'Aucun nom, e-mail ni téléphone n’a été compris. Redictez plus près du micro, ou saisissez le contact à la main.', manual: true };
      case 'speech_disabled': return { text: 'La reconnaissance vocale n’est pas configurée sur ce serveur : saisissez le contact à la main.', manual: true };
      case 'audio_too_large':
      case 'audio_too_long': return { text: 'L’enregistrement est trop long : dictez en moins d’une minute.', manual: false };
      case 'audio_rejected':
      case 'unsupported_media_type': return { text: 'Ce fichier n’est pas un enregistrement lisible (WAV, WebM, OGG, MP3 ou FLAC).', manual: false };
    }
    if (err.status === 429) return { text: 'Trop de demandes : patientez un instant.', manual: false };
  }
  return { text: 'La transcription n’a pas abouti. Réessayez dans un instant.', manual: true };
}

export function DictatePage(): React.ReactElement {
  const operator = useOperator();
  const recorder = useRecorder();
  const [phase, setPhase] = useState<Phase>({ kind: 'input' });
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');
  const [problem, setProblem] = useState<{ text: string; manual: boolean } | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<ContactField, string>>>({});
  const [file, setFile] = useState<File | null>(null);
  /** The key of the last confirmation sent, with its body: a retry of the same body reuses it. */
  const lastConfirm = useRef<{ body: string; key: string } | null>(null);
  const resultHeading = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (phase.kind === 'done') resultHeading.current?.querySelector<HTMLElement>('h2')?.focus();
  }, [phase.kind]);

  const preview = async (audio: Blob, name: string) => {
    setBusy(true);
    setProblem(null);
    setStatus('Transcription en cours…');
    const form = new FormData();
    form.append('dry_run', 'true');
    form.append('audio', audio, name);
    try {
      const draft = await postJson<DraftAnswer>('/crm/voice-contacts', form);
      setFieldErrors({});
      setPhase({ kind: 'preview', draft });
      setStatus(draft.needs_check.length ? 'Transcription reçue : des champs sont à vérifier.' : 'Transcription reçue : vérifiez puis confirmez.');
    } catch (err) {
      if (err instanceof ConsoleAuthError) return;
      setProblem(previewProblem(err));
      setStatus('');
    } finally {
      setBusy(false);
    }
  };

  const toggleRecording = async () => {
    if (recorder.status === 'recording') {
      const blob = await recorder.stop();
      if (!blob) {
        setStatus('');
        setProblem({ text: 'Rien n’a été enregistré. Vérifiez le micro et recommencez.', manual: true });
        return;
      }
      setStatus('Enregistrement terminé.');
      await preview(blob, recordingFileName(blob));
      return;
    }
    setProblem(null);
    await recorder.start();
  };

  useEffect(() => {
    if (recorder.status === 'recording') setStatus('Enregistrement en cours : dictez le nom, l’e-mail et le téléphone, puis arrêtez.');
    if (recorder.status === 'denied') setStatus('Le micro est refusé : autorisez-le dans le navigateur, ou envoyez un fichier.');
  }, [recorder.status]);

  const confirm = async (values: ContactValues, consents: Consents) => {
    const consent = { ...(consents.sms ? { sms: true } : {}), ...(consents.whatsapp ? { whatsapp: true } : {}) };
    const body = { dry_run: false, contact: values, ...(Object.keys(consent).length ? { consent } : {}) };
    const text = JSON.stringify(body);
    const key = lastConfirm.current?.body === text ? lastConfirm.current.key : `console-${crypto.randomUUID()}`;
    lastConfirm.current = { body: text, key };
    setBusy(true);
    setProblem(null);
    setFieldErrors({});
    setStatus('Création dans Odoo…');
    try {
      const result = await postJson<CaptureAnswer>('/crm/text-contacts', body, { 'Idempotency-Key': key });
      setPhase({ kind: 'done', result });
      setStatus(result.partner?.created ? 'Contact créé dans Odoo.' : 'Contact existant retrouvé dans Odoo.');
    } catch (err) {
      setStatus('');
      if (err instanceof ConsoleAuthError) return;
      if (err instanceof ConsoleApiError && err.status === 400 && err.fields.length) {
        const found: Partial<Record<ContactField, string>> = {};
        for (const f of err.fields) {
          const field = /contact\.(firstname|lastname|email|phone)$/.exec(f.path)?.[1] as ContactField | undefined;
          if (field) found[field] = FIELD_MESSAGES[field] ?? f.message;
        }
        setFieldErrors(found);
        setProblem({ text: 'Corrigez les champs signalés puis confirmez à nouveau.', manual: false });
      } else if (err instanceof ConsoleApiError && err.code === 'contact_incomplete') {
        setProblem({ text: 'Il faut au moins un prénom ou un nom, et un e-mail ou un téléphone.', manual: false });
      } else {
        setProblem({ text: 'La création n’a pas abouti. Réessayez : le même envoi ne crée rien deux fois.', manual: false });
      }
    } finally {
      setBusy(false);
    }
  };

  const restart = () => {
    setPhase({ kind: 'input' });
    setProblem(null);
    setFieldErrors({});
    setStatus('');
    lastConfirm.current = null;
  };

  const recording = recorder.status === 'recording';
  return (
    <section aria-labelledby="page-title" className="dictate">
      <h1 id="page-title">Dicter un contact</h1>
      <p role="status" aria-live="polite" className="recorder-status" data-status>{status}{recording ? ` (${recorder.seconds} s)` : ''}</p>
      {problem && (
        <div className="error" role="alert">
          <p>{problem.text}</p>
          {problem.manual && phase.kind === 'input' && (
            <button type="button" className="secondary" onClick={() => { setProblem(null); setPhase({ kind: 'preview', draft: EMPTY_DRAFT }); }}>Saisir à la main</button>
          )}
        </div>
      )}

      {phase.kind === 'input' && (
        <>
          <div className="recorder">
            <p className="hint">La personne (ou vous) dicte son nom, son e-mail et son téléphone ; rien n’est enregistré dans Odoo avant votre confirmation.</p>
            {recorder.status === 'unsupported'
              ? <p className="notice">Ce navigateur ne sait pas enregistrer : envoyez un fichier audio.</p>
              : (
                <button type="button" className="primary record-button" aria-pressed={recording} disabled={busy || recorder.status === 'starting'}
                  onClick={() => void toggleRecording()}>
                  {recording ? 'Arrêter et transcrire' : 'Enregistrer la dictée'}
                </button>
              )}
          </div>
          <form className="upload" onSubmit={(e) => { e.preventDefault(); if (file) void preview(file, file.name); }}>
            <fieldset className="consents">
              <legend>Ou envoyer un fichier audio</legend>
              <div className="upload-row">
                <label htmlFor="audio-file" className="sr-only">Fichier audio (WAV, WebM, OGG, MP3, FLAC)</label>
                <input id="audio-file" type="file" accept="audio/*,.wav,.webm,.ogg,.mp3,.flac" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
                <button type="submit" className="secondary" disabled={busy || !file || recording}>Envoyer le fichier</button>
              </div>
            </fieldset>
          </form>
        </>
      )}

      {phase.kind === 'preview' && (
        <>
          {phase.draft.transcript !== undefined && (
            <div>
              <h2>Transcription</h2>
              <p className="transcript" data-transcript>{phase.draft.transcript || '(vide)'}</p>
            </div>
          )}
          <DraftForm key={JSON.stringify(phase.draft)} draft={phase.draft} busy={busy} fieldErrors={fieldErrors} onConfirm={(v, c) => void confirm(v, c)} onCancel={restart} />
        </>
      )}

      {phase.kind === 'done' && (
        <div ref={resultHeading}>
          <CaptureResult result={phase.result} odooUrl={operator?.odoo_url ?? null} onAnother={restart} />
        </div>
      )}
    </section>
  );
}

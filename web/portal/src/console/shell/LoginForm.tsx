/**
 * The console's login: the operator pastes the token `npx ivr operators add <name>` printed; the API answers with
 * an HttpOnly cookie, so the token is kept nowhere in the page once sent.
 */
import { useEffect, useRef, useState } from 'react';
import { ConsoleApiError, consoleAuth, type ConsoleMe } from '../console-client';

export function LoginForm(props: { expired: boolean; onLoggedIn: (me: ConsoleMe) => void }): React.ReactElement {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (token.trim() === '') return setError('Collez le jeton d’opérateur.');
    setBusy(true);
    setError(null);
    try {
      const me = await consoleAuth.login(token.trim());
      setToken('');
      props.onLoggedIn(me);
    } catch (err) {
      if (err instanceof ConsoleApiError && err.status === 401) setError('Ce jeton n’est pas celui d’un opérateur actif. Vérifiez-le ou demandez-en un nouveau.');
      else if (err instanceof ConsoleApiError && err.status === 429) setError('Trop de tentatives depuis cette adresse. Patientez quelques minutes.');
      else setError('Le service ne répond pas. Réessayez dans un instant.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="console-login" aria-labelledby="login-title">
      <h1 id="login-title" tabIndex={-1} ref={heading}>Connexion opérateur</h1>
      {props.expired && <p className="notice">Votre session a expiré ou a été révoquée : reconnectez-vous.</p>}
      <form className="collect" onSubmit={(e) => void submit(e)} noValidate>
        <label htmlFor="operator-token">Jeton d’opérateur</label>
        <p className="hint" id="operator-token-hint">Le jeton affiché par <code>npx ivr operators add &lt;nom&gt;</code>.</p>
        <input id="operator-token" name="token" type="password" autoComplete="off" spellCheck={false} value={token}
          aria-describedby={error ? 'operator-token-hint login-error' : 'operator-token-hint'} aria-invalid={error ? true : undefined}
          onChange={(e) => setToken(e.target.value)} />
        {error && <p className="error" id="login-error" role="alert">{error}</p>}
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Connexion…' : 'Se connecter'}</button>
      </form>
    </section>
  );
}

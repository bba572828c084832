// Security keys (FIDO2/WebAuthn) for Confiance's login pages: asks the server for options, lets the browser talk
// to the key, sends the signed answer back. No framework; the JSON forms of WebAuthn Level 3.
const status = (form, message) => {
  const out = form.querySelector('[role="status"]');
  if (out) out.textContent = message;
};

async function post(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json.message || 'Opération refusée.');
  return json;
}

function supported(form) {
  if (window.PublicKeyCredential && PublicKeyCredential.parseCreationOptionsFromJSON) return true;
  status(form, 'Ce navigateur ne sait pas utiliser les clés de sécurité : utilisez un navigateur récent.');
  return false;
}

for (const form of document.querySelectorAll('form[data-webauthn="register"]')) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!supported(form)) return;
    try {
      status(form, 'Touchez votre clé de sécurité…');
      const options = await post(`${form.action}/options`, {});
      const credential = await navigator.credentials.create({
        publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options),
      });
      const done = await post(form.action, { response: credential.toJSON() });
      status(form, done.message);
    } catch (error) {
      status(form, error.message || String(error));
    }
  });
}

for (const form of document.querySelectorAll('form[data-webauthn="login"]')) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!supported(form)) return;
    try {
      const idnat = form.querySelector('[name="idnat"]').value.trim();
      status(form, 'Touchez votre clé de sécurité…');
      const options = await post(`${form.action}/options`, { idnat });
      const credential = await navigator.credentials.get({
        publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options),
      });
      const done = await post(form.action, { response: credential.toJSON() });
      window.location.assign(done.location);
    } catch (error) {
      status(form, error.message || String(error));
    }
  });
}

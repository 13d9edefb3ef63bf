// Passkeys on the server's own pages (served as /account/passkeys.js; the
// pages allow scripts of this origin only). The sign-in page offers the
// family's passkeys in the email field's autofill (conditional mediation)
// and behind a button; the "Your passkeys" page adds, renames and deletes.
// The server's answers carry binary fields as base64url, as webauthn-rs
// writes them; the browser wants ArrayBuffers.
(() => {
  'use strict';
  const bytes = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  const text = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)))
    .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const ids = (list) => (list || []).forEach((c) => { c.id = bytes(c.id); });

  // Same-origin fetches that send this page's Origin (the pages send no
  // referrer, which would otherwise make it "null"); the server checks it.
  async function post(url, fields) {
    const r = await fetch(url, {
      method: 'POST', body: new URLSearchParams(fields),
      credentials: 'same-origin', referrerPolicy: 'same-origin',
    });
    const body = await r.json();
    if (!r.ok) throw new Error(body.error_description || r.statusText);
    return body;
  }

  // The browser's credential as the JSON the server reads.
  function answer(cred) {
    const r = cred.response;
    const response = { clientDataJSON: text(r.clientDataJSON) };
    if (r.attestationObject) response.attestationObject = text(r.attestationObject);
    if (r.authenticatorData) {
      response.authenticatorData = text(r.authenticatorData);
      response.signature = text(r.signature);
      if (r.userHandle) response.userHandle = text(r.userHandle);
    }
    return JSON.stringify({
      id: cred.id, rawId: text(cred.rawId), type: cred.type, response,
      extensions: cred.getClientExtensionResults(),
    });
  }

  function problem(message) {
    const p = document.getElementById('passkey-problem');
    if (!p) return;
    p.textContent = message;
    p.hidden = false;
  }

  // The sign-in page: autofill first, the button for the rest.
  const form = document.querySelector('form[data-passkey-challenge]');
  if (form && window.PublicKeyCredential) {
    let pending;
    const signIn = async (conditional) => {
      if (pending) pending.abort();
      pending = new AbortController();
      const challenge = await post(form.dataset.passkeyChallenge, {});
      const publicKey = challenge.options.publicKey;
      publicKey.challenge = bytes(publicKey.challenge);
      ids(publicKey.allowCredentials);
      const cred = await navigator.credentials.get({
        publicKey, signal: pending.signal, mediation: conditional ? 'conditional' : 'optional',
      });
      form.elements.passkey_ceremony.value = challenge.ceremony;
      form.elements.passkey_credential.value = answer(cred);
      form.submit();
    };
    const button = document.getElementById('passkey-sign-in');
    if (button) {
      button.hidden = false;
      button.addEventListener('click', () => signIn(false).catch((e) => {
        if (e.name !== 'AbortError') problem(button.dataset.refused);
      }));
    }
    // After a refused passkey the person chooses again (the button or the
    // password); an autofill request would only repeat the refusal.
    const conditional = PublicKeyCredential.isConditionalMediationAvailable;
    if (conditional && !('passkeyRefused' in form.dataset)) {
      conditional().then((yes) => yes && signIn(true)).catch(() => {});
    }
  }

  // The "Your passkeys" page.
  const list = document.getElementById('passkeys');
  if (list && window.PublicKeyCredential) {
    const client = list.dataset.client;
    const done = () => location.reload();
    const add = document.getElementById('passkey-add');
    add.hidden = false;
    add.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        const challenge = await post('/account/passkeys/challenge', { client_id: client });
        const publicKey = challenge.options.publicKey;
        publicKey.challenge = bytes(publicKey.challenge);
        publicKey.user.id = bytes(publicKey.user.id);
        ids(publicKey.excludeCredentials);
        const cred = await navigator.credentials.create({ publicKey });
        await post('/account/passkeys/add', {
          client_id: client, ceremony: challenge.ceremony,
          credential: answer(cred), name: add.elements.name.value,
        });
        done();
      } catch (e) {
        problem(e.message);
      }
    });
    list.querySelectorAll('form.passkey').forEach((row) => {
      row.addEventListener('submit', async (event) => {
        event.preventDefault();
        const action = event.submitter && event.submitter.value;
        const fields = { client_id: client, id: row.dataset.id };
        if (action === 'rename') fields.name = row.elements.name.value;
        try {
          await post(`/account/passkeys/${action}`, fields);
          done();
        } catch (e) {
          problem(e.message);
        }
      });
    });
  }
})();

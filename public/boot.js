// Loads the SyncReady wasm module. Extension pages forbid inline scripts (MV3 CSP), so this static
// module replaces the loader Trunk would inject. `main` runs when the module initialises.
import init from '../syncready.js';

init({ module_or_path: new URL('../syncready_bg.wasm', import.meta.url) }).catch((error) => {
  const box = document.createElement('p');
  box.setAttribute('role', 'alert');
  box.textContent = `SyncReady could not start: ${error}`;
  document.body.append(box);
});

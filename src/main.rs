//! Entry point: `wasm-bindgen` runs `main` when `boot.js` initialises the module.

fn main() {
    syncready::start();
}

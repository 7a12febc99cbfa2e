//! The kiosk's durable storage: a thin layer over IndexedDB (web-sys
//! directly; object stores of JSON text, so what is at rest is plain to
//! inspect). Every write waits for its transaction to commit, with the
//! `strict` durability hint, before it reports success: a caller that hears
//! `Ok` may tell the patient their check-in is saved.

use js_sys::Array;
use std::rc::Rc;
use thiserror::Error;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DomException, IdbDatabase, IdbObjectStore, IdbOpenDbRequest, IdbRequest, IdbTransaction,
    IdbTransactionMode,
};

const DATABASE: &str = "waitwell";
const VERSION: u32 = 2;
/// Undelivered writes, keyed by idempotency key.
pub const OUTBOX: &str = "outbox";
/// Today's offline appointment index (one record).
pub const INDEX: &str = "index";
/// The check-in kiosk's ticket lease (one record; version 2).
pub const LEASE: &str = "lease";

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StoreError {
    /// The browser has no IndexedDB here (or refused to open it).
    #[error("storage is not available")]
    Unavailable,
    /// The device's storage is full.
    #[error("storage is full")]
    Quota,
    #[error("storage failed: {0}")]
    Failed(String),
}

impl StoreError {
    fn from_exception(error: Option<DomException>) -> Self {
        match error {
            Some(e) if e.name() == "QuotaExceededError" => StoreError::Quota,
            Some(e) => StoreError::Failed(e.name()),
            None => StoreError::Failed("aborted".into()),
        }
    }

    fn from_js(value: JsValue) -> Self {
        StoreError::from_exception(value.dyn_into::<DomException>().ok())
    }
}

/// An open database.
#[derive(Clone)]
pub struct Store {
    db: Rc<IdbDatabase>,
}

impl Store {
    /// Opens (creating or upgrading) the kiosk's database.
    pub async fn open() -> Result<Store, StoreError> {
        let factory = web_sys::window()
            .and_then(|w| w.indexed_db().ok().flatten())
            .ok_or(StoreError::Unavailable)?;
        let request: IdbOpenDbRequest = factory
            .open_with_u32(DATABASE, VERSION)
            .map_err(|_| StoreError::Unavailable)?;
        let upgrade = {
            let request = request.clone();
            Closure::<dyn FnMut()>::new(move || {
                let Ok(result) = request.result() else { return };
                let db: IdbDatabase = result.unchecked_into();
                let names = db.object_store_names();
                for store in [OUTBOX, INDEX, LEASE] {
                    if !names.contains(store) {
                        let _ = db.create_object_store(store);
                    }
                }
            })
        };
        request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
        let result = finish(&request).await;
        request.set_onupgradeneeded(None);
        drop(upgrade);
        let db: IdbDatabase = result?.unchecked_into();
        Ok(Store { db: Rc::new(db) })
    }

    fn store(
        &self,
        name: &str,
        mode: IdbTransactionMode,
    ) -> Result<(IdbTransaction, IdbObjectStore), StoreError> {
        // `{ durability: "strict" }`: the commit is flushed to disk before
        // it is reported. (web-sys has the options only behind its unstable
        // flag; browsers without them ignore the argument.)
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"durability".into(), &"strict".into());
        let mode_name = match mode {
            IdbTransactionMode::Readwrite => "readwrite",
            _ => "readonly",
        };
        let tx: IdbTransaction = js_sys::Reflect::get(&self.db, &"transaction".into())
            .and_then(|f| f.dyn_into::<js_sys::Function>())
            .and_then(|f| f.call3(&self.db, &name.into(), &mode_name.into(), &options))
            .and_then(|tx| tx.dyn_into::<IdbTransaction>())
            .map_err(StoreError::from_js)?;
        let store = tx.object_store(name).map_err(StoreError::from_js)?;
        Ok((tx, store))
    }

    /// Stores `value` under `key` and waits until it is committed.
    pub async fn put(&self, name: &str, key: &str, value: &str) -> Result<(), StoreError> {
        let (tx, store) = self.store(name, IdbTransactionMode::Readwrite)?;
        let done = committed(&tx);
        store
            .put_with_key(&JsValue::from_str(value), &JsValue::from_str(key))
            .map_err(StoreError::from_js)?;
        done.await
    }

    /// Deletes `key` and waits until that is committed.
    pub async fn delete(&self, name: &str, key: &str) -> Result<(), StoreError> {
        let (tx, store) = self.store(name, IdbTransactionMode::Readwrite)?;
        let done = committed(&tx);
        store
            .delete(&JsValue::from_str(key))
            .map_err(StoreError::from_js)?;
        done.await
    }

    /// Every value of a store, in key order. Values that are not text
    /// (written by something else) are skipped.
    pub async fn all(&self, name: &str) -> Result<Vec<String>, StoreError> {
        let (_tx, store) = self.store(name, IdbTransactionMode::Readonly)?;
        let request = store.get_all().map_err(StoreError::from_js)?;
        let values: Array = finish(&request).await?.unchecked_into();
        Ok(values.iter().filter_map(|v| v.as_string()).collect())
    }

    /// One value, if there is one.
    pub async fn get(&self, name: &str, key: &str) -> Result<Option<String>, StoreError> {
        let (_tx, store) = self.store(name, IdbTransactionMode::Readonly)?;
        let request = store
            .get(&JsValue::from_str(key))
            .map_err(StoreError::from_js)?;
        Ok(finish(&request).await?.as_string())
    }
}

/// The result of a request, once it succeeded or failed.
async fn finish(request: &IdbRequest) -> Result<JsValue, StoreError> {
    let target: &web_sys::EventTarget = request.as_ref();
    let succeeded = Outcome::listen(target, "success", "error").await;
    if succeeded {
        request.result().map_err(StoreError::from_js)
    } else {
        Err(StoreError::from_exception(request.error().ok().flatten()))
    }
}

/// Resolves when `tx` has committed; fails when it aborted or failed.
fn committed(tx: &IdbTransaction) -> impl std::future::Future<Output = Result<(), StoreError>> {
    // Listening starts now, before the request is made.
    let target: &web_sys::EventTarget = tx.as_ref();
    let outcome = Outcome::listen(target, "complete", "abort");
    let tx = tx.clone();
    async move {
        if outcome.await {
            Ok(())
        } else {
            Err(StoreError::from_exception(tx.error()))
        }
    }
}

/// An event listener kept alive while it is registered.
type Listener = Closure<dyn FnMut()>;

/// Waits for the first of two events. The listeners are removed when it
/// resolves or is dropped (a cancelled caller leaves nothing behind).
struct Outcome {
    target: web_sys::EventTarget,
    names: (&'static str, &'static str),
    listeners: (Listener, Listener),
    answer: futures::channel::oneshot::Receiver<bool>,
}

impl Outcome {
    fn listen(target: &web_sys::EventTarget, good: &'static str, bad: &'static str) -> Self {
        let (send, answer) = futures::channel::oneshot::channel();
        let send = Rc::new(std::cell::RefCell::new(Some(send)));
        let listener = |value: bool| {
            let send = send.clone();
            Closure::<dyn FnMut()>::new(move || {
                if let Some(send) = send.borrow_mut().take() {
                    let _ = send.send(value);
                }
            })
        };
        let listeners = (listener(true), listener(false));
        let _ = target.add_event_listener_with_callback(good, listeners.0.as_ref().unchecked_ref());
        let _ = target.add_event_listener_with_callback(bad, listeners.1.as_ref().unchecked_ref());
        Outcome {
            target: target.clone(),
            names: (good, bad),
            listeners,
            answer,
        }
    }
}

impl std::future::Future for Outcome {
    type Output = bool;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<bool> {
        std::pin::Pin::new(&mut self.answer)
            .poll(cx)
            .map(|answer| answer.unwrap_or(false))
    }
}

impl Drop for Outcome {
    fn drop(&mut self) {
        let (good, bad) = self.names;
        let _ = self
            .target
            .remove_event_listener_with_callback(good, self.listeners.0.as_ref().unchecked_ref());
        let _ = self
            .target
            .remove_event_listener_with_callback(bad, self.listeners.1.as_ref().unchecked_ref());
    }
}

/// Asks the browser to keep this site's storage under storage pressure
/// (`navigator.storage.persist()`); `Some(true)` when granted.
pub async fn request_persistence() -> Option<bool> {
    let storage = web_sys::window()?.navigator().storage();
    let granted = JsFuture::from(storage.persist().ok()?).await.ok()?;
    granted.as_bool()
}

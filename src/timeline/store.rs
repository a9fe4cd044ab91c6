//! The runs kept in this browser's IndexedDB, so that a reload (or a job deleted since) does not
//! lose the timeline: one record per run, its key the run's key, its value the run as JSON.
//!
//! Everything here can fail (private windows, storage turned off, a full disk): the caller keeps
//! the timeline working live and tells the person that history will not survive a reload.

use js_sys::{Array, Function, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{EventTarget, IdbDatabase, IdbRequest, IdbTransaction, IdbTransactionMode};

use super::model::{Changes, TaskRun};

/// The object store of runs. Bump [`VERSION`] when its shape changes.
const RUNS: &str = "runs";
const VERSION: u32 = 1;

/// Why the runs cannot be kept, in words for the page.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(String);

impl StoreError {
    fn from_js(doing: &str, value: &JsValue) -> StoreError {
        let detail = value
            .dyn_ref::<web_sys::DomException>()
            .map(|exception| format!("{}: {}", exception.name(), exception.message()))
            .or_else(|| value.dyn_ref::<js_sys::Error>().map(|error| String::from(error.message())))
            .or_else(|| value.as_string())
            .unwrap_or_else(|| "no reason given".to_owned());
        StoreError(format!("{doing} failed ({detail})"))
    }
}

/// An open database of runs, one per Manager the dashboard talks to.
#[derive(Clone)]
pub struct RunStore {
    db: IdbDatabase,
}

/// Waits until `target` fires `ok` (true) or one of `failures` (false): a request's `success`
/// or `error`, a transaction's `complete`, `error` or `abort`. The listeners go away afterwards.
async fn settled(target: &EventTarget, ok: &str, failures: &[&str]) -> bool {
    let mut settle: Option<(Function, Function)> = None;
    let promise = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
    let Some((resolve, reject)) = settle else { return false };
    let on_ok = Closure::<dyn Fn()>::new(move || {
        let _ = resolve.call0(&JsValue::NULL);
    });
    let on_failure = Closure::<dyn Fn()>::new(move || {
        let _ = reject.call0(&JsValue::NULL);
    });
    let listen = |name: &str, callback: &Closure<dyn Fn()>| {
        let _ = target.add_event_listener_with_callback(name, callback.as_ref().unchecked_ref());
    };
    listen(ok, &on_ok);
    failures.iter().for_each(|name| listen(name, &on_failure));
    let result = JsFuture::from(promise).await.is_ok();
    let _ = target.remove_event_listener_with_callback(ok, on_ok.as_ref().unchecked_ref());
    for name in failures {
        let _ = target.remove_event_listener_with_callback(name, on_failure.as_ref().unchecked_ref());
    }
    result
}

/// The outcome of a request once it settled.
async fn finish(request: &IdbRequest, doing: &str) -> Result<JsValue, StoreError> {
    if !settled(request, "success", &["error"]).await {
        let error = request.error().ok().flatten().map(JsValue::from).unwrap_or(JsValue::NULL);
        return Err(StoreError::from_js(doing, &error));
    }
    request.result().map_err(|error| StoreError::from_js(doing, &error))
}

async fn committed(transaction: &IdbTransaction, doing: &str) -> Result<(), StoreError> {
    if settled(transaction, "complete", &["error", "abort"]).await {
        return Ok(());
    }
    let error = transaction.error().map(JsValue::from).unwrap_or(JsValue::NULL);
    Err(StoreError::from_js(doing, &error))
}

impl RunStore {
    /// Opens (creating on first use) the database of the Manager at `manager_url`.
    pub async fn open(manager_url: &str) -> Result<RunStore, StoreError> {
        let factory = web_sys::window()
            .ok_or_else(|| StoreError("there is no browser window".into()))?
            .indexed_db()
            .map_err(|error| StoreError::from_js("Opening the browser's storage", &error))?
            .ok_or_else(|| StoreError("this browser offers no IndexedDB storage".into()))?;
        let request = factory
            .open_with_u32(&format!("farmdeck-timeline {manager_url}"), VERSION)
            .map_err(|error| StoreError::from_js("Opening the timeline's storage", &error))?;
        let upgrade = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
            let db = event
                .target()
                .and_then(|target| target.dyn_into::<web_sys::IdbOpenDbRequest>().ok())
                .and_then(|request| request.result().ok())
                .and_then(|result| result.dyn_into::<IdbDatabase>().ok());
            if let Some(db) = db.filter(|db| !db.object_store_names().contains(RUNS)) {
                let _ = db.create_object_store(RUNS);
            }
        });
        request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
        let opened = finish(&request, "Opening the timeline's storage").await;
        request.set_onupgradeneeded(None);
        drop(upgrade);
        let db = opened?.dyn_into::<IdbDatabase>().map_err(|_| {
            StoreError("the browser's storage answered something else than a database".into())
        })?;
        Ok(RunStore { db })
    }

    /// Every run kept; records that do not read as a run (from another version) are skipped.
    pub async fn load(&self) -> Result<Vec<TaskRun>, StoreError> {
        let doing = "Reading the kept timeline";
        let transaction =
            self.db.transaction_with_str(RUNS).map_err(|error| StoreError::from_js(doing, &error))?;
        let store = transaction.object_store(RUNS).map_err(|error| StoreError::from_js(doing, &error))?;
        let request = store.get_all().map_err(|error| StoreError::from_js(doing, &error))?;
        let values = finish(&request, doing).await?;
        let values: Array = values.dyn_into().unwrap_or_default();
        Ok(values
            .iter()
            .filter_map(|value| value.as_string())
            .filter_map(|text| serde_json::from_str::<TaskRun>(&text).ok())
            .collect())
    }

    /// Writes new and changed runs and deletes the named ones, in one transaction.
    pub async fn write(&self, changes: &Changes) -> Result<(), StoreError> {
        let doing = "Keeping the timeline in this browser";
        let fail = |error: JsValue| StoreError::from_js(doing, &error);
        let transaction =
            self.db.transaction_with_str_and_mode(RUNS, IdbTransactionMode::Readwrite).map_err(fail)?;
        let store = transaction.object_store(RUNS).map_err(fail)?;
        for run in &changes.put {
            let text = serde_json::to_string(run).map_err(|error| StoreError(error.to_string()))?;
            store.put_with_key(&JsValue::from_str(&text), &JsValue::from_str(&run.key())).map_err(fail)?;
        }
        for key in &changes.delete {
            store.delete(&JsValue::from_str(key)).map_err(fail)?;
        }
        committed(&transaction, doing).await
    }
}

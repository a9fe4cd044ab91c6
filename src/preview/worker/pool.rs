//! The page's side: a few preview workers, each started with the Trunk-built loader and sent
//! messages only once it has said it is ready. Dropping the pool terminates the workers, which is
//! how a merge is cancelled: a worker busy decoding cannot be interrupted any other way.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::channel::oneshot;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker};

use super::protocol::{busy, describe, memory, pack, set_file, set_files, unpack, Request, Response};

/// The script Trunk writes for the `preview_worker` binary (`data-loader-shim`): it loads the
/// worker's JavaScript and WebAssembly.
const LOADER: &str = "/preview_worker_loader.js";

/// No more workers than this, whatever the machine: each holds its own canvas.
pub const MAX_WORKERS: usize = 4;

/// How many workers for `hardware_concurrency` logical processors (0 or NaN when unknown).
pub fn pool_size(hardware_concurrency: f64) -> usize {
    if hardware_concurrency.is_finite() && hardware_concurrency >= 1.0 {
        (hardware_concurrency as usize).min(MAX_WORKERS)
    } else {
        1
    }
}

/// Tiles sent to one worker and not answered yet, at most: one decoding while the browser reads
/// the files of the others (a read takes several times a decode, measured by
/// `scripts/bench-preview`), and few enough that a large tile set is never all in memory.
pub const MAX_QUEUED: usize = 8;

/// Called with the index of the worker that answered, its response and the bytes that came with it.
pub type OnResponse = Rc<dyn Fn(usize, Response, Option<js_sys::ArrayBuffer>)>;

/// One worker and what is waiting for it.
struct Slot {
    worker: Worker,
    ready: Cell<bool>,
    /// Posted once the worker is ready: a message posted earlier would find no listener.
    queue: RefCell<Vec<(JsValue, js_sys::Array)>>,
    /// Tiles sent and not answered yet, to give the next tile to the least busy worker.
    pending: Cell<usize>,
    /// The largest WebAssembly memory the worker reported, in bytes.
    peak_memory: Cell<f64>,
    /// Milliseconds the worker said it spent on tiles and on drawing the view.
    busy: Cell<WorkerTime>,
}

/// Milliseconds a worker spent, by what on.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WorkerTime {
    /// Decoding and placing tiles (drawing those drawn at once included).
    pub tiles: f64,
    /// Drawing the view.
    pub render: f64,
}

impl Slot {
    fn post(&self, message: JsValue, transfer: js_sys::Array) -> Result<(), String> {
        if self.ready.get() {
            self.worker.post_message_with_transfer(&message, &transfer).map_err(describe)
        } else {
            self.queue.borrow_mut().push((message, transfer));
            Ok(())
        }
    }

    fn flush(&self) -> Result<(), String> {
        self.ready.set(true);
        let queued = std::mem::take(&mut *self.queue.borrow_mut());
        queued.into_iter().try_for_each(|(message, transfer)| self.post(message, transfer))
    }
}

/// A worker's message and error handlers.
type Handlers = (Closure<dyn FnMut(MessageEvent)>, Closure<dyn FnMut(ErrorEvent)>);

/// Whoever waits for a worker to have room; woken by the next tile answered.
type RoomWaiters = Rc<RefCell<Vec<oneshot::Sender<()>>>>;

/// The running workers.
pub struct Pool {
    slots: Vec<Rc<Slot>>,
    waiters: RoomWaiters,
    // Kept alive as long as the workers may call them.
    _handlers: Vec<Handlers>,
}

impl Pool {
    /// Starts `size` workers; `on_response` hears every answer.
    pub fn start(size: usize, on_response: OnResponse) -> Result<Pool, String> {
        let mut slots = Vec::new();
        let mut handlers = Vec::new();
        let waiters = RoomWaiters::default();
        for index in 0..size.max(1) {
            let worker = Worker::new(LOADER).map_err(describe)?;
            let slot = Rc::new(Slot {
                worker,
                ready: Cell::new(false),
                queue: RefCell::default(),
                pending: Cell::new(0),
                peak_memory: Cell::new(0.0),
                busy: Cell::new(WorkerTime::default()),
            });
            let on_message = {
                let slot = slot.clone();
                let waiters = waiters.clone();
                let on_response = on_response.clone();
                Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                    if let Some(bytes) = memory(&event.data()) {
                        slot.peak_memory.set(slot.peak_memory.get().max(bytes));
                    }
                    let (response, buffer) = match unpack::<Response>(&event.data()) {
                        Ok(envelope) => (envelope.message, envelope.buffer),
                        Err(reason) => (Response::Error { session: None, reason }, None),
                    };
                    let spent = busy(&event.data()).unwrap_or(0.0);
                    let mut time = slot.busy.get();
                    match &response {
                        Response::Placed { .. } | Response::Failed { .. } => time.tiles += spent,
                        Response::Rendered { .. } => time.render += spent,
                        _ => {}
                    }
                    slot.busy.set(time);
                    match &response {
                        Response::Ready => {
                            if let Err(reason) = slot.flush() {
                                on_response(index, Response::Error { session: None, reason }, None);
                            }
                        }
                        Response::Placed { .. } | Response::Failed { .. } => {
                            slot.pending.set(slot.pending.get().saturating_sub(1));
                            for waiter in waiters.borrow_mut().drain(..) {
                                // A waiter that gave up has dropped its receiver: nothing to do.
                                let _ = waiter.send(());
                            }
                        }
                        _ => {}
                    }
                    on_response(index, response, buffer);
                })
            };
            let on_error = {
                let on_response = on_response.clone();
                Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
                    let reason = format!("a preview worker stopped: {}", event.message());
                    on_response(index, Response::Error { session: None, reason }, None);
                })
            };
            slot.worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            slot.worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            slots.push(slot);
            handlers.push((on_message, on_error));
        }
        Ok(Pool { slots, waiters, _handlers: handlers })
    }

    /// Starts as many workers as the browser suggests, up to [`MAX_WORKERS`].
    pub fn start_for_browser(on_response: OnResponse) -> Result<Pool, String> {
        let cores = web_sys::window().map_or(0.0, |w| w.navigator().hardware_concurrency());
        Pool::start(pool_size(cores), on_response)
    }

    /// The number of workers.
    pub fn size(&self) -> usize {
        self.slots.len()
    }

    /// Sends every worker the same request (no bytes).
    pub fn broadcast(&self, request: &Request) -> Result<(), String> {
        (0..self.size()).try_for_each(|i| self.send(i, request, None))
    }

    /// Sends a request to one worker, moving `buffer` to it (it is detached here afterwards).
    pub fn send(
        &self,
        index: usize,
        request: &Request,
        buffer: Option<&js_sys::ArrayBuffer>,
    ) -> Result<(), String> {
        self.post(index, request, buffer, None)
    }

    /// Sends worker `index` a request about a picked `file`, which the worker reads itself.
    pub fn send_file(&self, index: usize, request: &Request, file: &web_sys::File) -> Result<(), String> {
        self.post(index, request, None, Some(file))
    }

    /// Sends worker `index` a streamed export with the picked `files` it reads itself.
    pub fn send_files(&self, index: usize, request: &Request, files: &js_sys::Array) -> Result<(), String> {
        let slot = self.slots.get(index).ok_or("no such preview worker")?;
        let (message, transfer) = pack(request, None)?;
        set_files(&message, files)?;
        slot.post(message, transfer)
    }

    fn post(
        &self,
        index: usize,
        request: &Request,
        buffer: Option<&js_sys::ArrayBuffer>,
        file: Option<&web_sys::File>,
    ) -> Result<(), String> {
        let slot = self.slots.get(index).ok_or("no such preview worker")?;
        let (message, transfer) = pack(request, buffer)?;
        if let Some(file) = file {
            set_file(&message, file)?;
        }
        if matches!(request, Request::Tile { .. }) {
            slot.pending.set(slot.pending.get() + 1);
        }
        slot.post(message, transfer)
    }

    /// The workers' WebAssembly memory at its largest, summed over the workers, in bytes.
    pub fn peak_memory(&self) -> f64 {
        self.slots.iter().map(|s| s.peak_memory.get()).sum()
    }

    /// The time the workers spent, summed over the workers, since they started.
    pub fn busy(&self) -> WorkerTime {
        self.slots.iter().map(|s| s.busy.get()).fold(WorkerTime::default(), |sum, t| WorkerTime {
            tiles: sum.tiles + t.tiles,
            render: sum.render + t.render,
        })
    }

    /// Resolves when the next tile is answered (a worker has more room then), or with an error
    /// when the pool is dropped: waiting this way costs nothing between answers.
    pub fn next_answer(&self) -> oneshot::Receiver<()> {
        let (sender, receiver) = oneshot::channel();
        self.waiters.borrow_mut().push(sender);
        receiver
    }

    /// Whether every tile sent has been answered.
    pub fn is_idle(&self) -> bool {
        self.slots.iter().all(|s| s.pending.get() == 0)
    }

    /// The worker with the fewest tiles waiting.
    pub fn least_busy(&self) -> usize {
        self.slots.iter().enumerate().min_by_key(|(_, s)| s.pending.get()).map_or(0, |(i, _)| i)
    }

    /// Whether `worker` (or any worker, for `None`) has fewer than [`MAX_QUEUED`] tiles waiting:
    /// files are read only when a worker has room, so a large tile set is never all in memory.
    pub fn has_room(&self, worker: Option<usize>) -> bool {
        let room = |s: &Rc<Slot>| s.pending.get() < MAX_QUEUED;
        match worker {
            Some(i) => self.slots.get(i).is_some_and(room),
            None => self.slots.iter().any(room),
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        for slot in &self.slots {
            slot.worker.terminate();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_size_follows_the_cores_up_to_the_cap() {
        assert_eq!(pool_size(2.0), 2);
        assert_eq!(pool_size(16.0), MAX_WORKERS);
        assert_eq!(pool_size(0.0), 1);
        assert_eq!(pool_size(f64::NAN), 1);
    }
}

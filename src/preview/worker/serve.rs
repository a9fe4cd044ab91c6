//! The worker side: listens for envelopes, hands them to the [`Engine`] and posts the answers,
//! their bytes in the transfer list.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use super::engine::Engine;
use super::protocol::{
    describe, from_buffer, pack, set_busy, set_memory, to_buffer, unpack, Request, Response,
};
use crate::preview::browser::{now, wasm_memory_bytes};

/// Runs the worker: installs the message handler, then says it is ready. Called by the
/// `preview_worker` binary's `main`.
pub fn serve() {
    let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
        web_sys::console::error_1(&"preview_worker must run in a dedicated Web Worker".into());
        return;
    };
    let engine = Rc::new(RefCell::new(Engine::default()));
    let reply_scope = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let started = now();
        let reply = match unpack::<Request>(&event.data()) {
            Ok(envelope) => {
                let bytes = envelope.buffer.as_ref().map(from_buffer);
                // Messages are handled one at a time, so the engine is never borrowed twice.
                match engine.try_borrow_mut() {
                    Ok(mut engine) => engine.handle(envelope.message, bytes),
                    Err(_) => {
                        Some((Response::Error { session: None, reason: "the worker is busy".into() }, None))
                    }
                }
            }
            Err(reason) => Some((Response::Error { session: None, reason }, None)),
        };
        if let Some((response, bytes)) = reply {
            post(&reply_scope, &response, bytes.as_deref(), now() - started);
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker does.
    on_message.forget();
    post(&scope, &Response::Ready, None, 0.0);
}

/// Posts a response, moving its bytes to the page, with the milliseconds spent on it.
fn post(scope: &DedicatedWorkerGlobalScope, response: &Response, bytes: Option<&[u8]>, busy: f64) {
    let buffer = bytes.map(to_buffer);
    let sent = pack(response, buffer.as_ref()).and_then(|(message, transfer)| {
        set_memory(&message, wasm_memory_bytes())?;
        set_busy(&message, busy)?;
        scope.post_message_with_transfer(&message, &transfer).map_err(describe)
    });
    if let Err(reason) = sent {
        web_sys::console::error_1(&format!("preview worker cannot answer: {reason}").into());
    }
}

//! A firmware-shaped program that links temporal-lite's no_std core: it starts a workflow,
//! describes it and fetches its first history page through a stub transport that answers
//! with bytes the optimizer cannot see, so the whole request/response path is linked.
//! Never run; only measured (`llvm-size -A`).

#![no_std]
#![no_main]

extern crate alloc;

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::future::Future;
use core::pin::pin;
use core::sync::atomic::{AtomicUsize, Ordering};
use core::task::{Context, Poll, Waker};
use core::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use serde::Serialize;
use temporal_lite_core::client::{Client, HistoryPageOptions, StartWorkflowOptions};
use temporal_lite_core::config::ConnectOptions;
use temporal_lite_core::grpc::{Metadata, Request, Response, Transport, TransportError};
use temporal_lite_core::time::{Clock, Sleep};

/// A bump allocator over a static arena (never frees): enough for a size probe.
struct Bump {
    arena: UnsafeCell<[u8; 32 * 1024]>,
    next: AtomicUsize,
}

// SAFETY: allocation hands out disjoint ranges via an atomic cursor.
unsafe impl Sync for Bump {}

unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let base = self.arena.get() as usize;
        let mut cur = self.next.load(Ordering::Relaxed);
        loop {
            let start = (base + cur + layout.align() - 1) & !(layout.align() - 1);
            let end = start - base + layout.size();
            if end > 32 * 1024 {
                return core::ptr::null_mut();
            }
            match self
                .next
                .compare_exchange(cur, end, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return start as *mut u8,
                Err(c) => cur = c,
            }
        }
    }
    unsafe fn dealloc(&self, _: *mut u8, _: Layout) {}
}

#[global_allocator]
static ALLOC: Bump = Bump {
    arena: UnsafeCell::new([0; 32 * 1024]),
    next: AtomicUsize::new(0),
};

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

/// Where a real transport's received bytes would be; read volatile so nothing is folded.
static mut RX: [u8; 256] = [0; 256];

fn received() -> Bytes {
    // SAFETY: plain reads of a static buffer.
    let n = unsafe { core::ptr::read_volatile(core::ptr::addr_of!(RX[0])) } as usize;
    let mut v = alloc::vec::Vec::with_capacity(n);
    for i in 0..n.min(255) {
        v.push(unsafe { core::ptr::read_volatile(core::ptr::addr_of!(RX[i + 1])) });
    }
    Bytes::from(v)
}

struct Stub;

#[async_trait]
impl Transport for Stub {
    async fn unary(&self, request: Request) -> Result<Response, TransportError> {
        // Make the request bytes observable.
        for b in request.body.iter().chain(request.path.as_bytes()) {
            unsafe { core::ptr::write_volatile(core::ptr::addr_of_mut!(RX[0]), *b) };
        }
        let mut trailers = Metadata::default();
        trailers.insert("grpc-status", "0");
        Ok(Response {
            http_status: 200,
            headers: Metadata::default(),
            body: received(),
            trailers,
        })
    }
}

struct Ticks;

impl Clock for Ticks {
    fn now(&self) -> Duration {
        Duration::from_millis(
            unsafe { core::ptr::read_volatile(core::ptr::addr_of!(RX[2])) } as u64,
        )
    }
    fn sleep(&self, _: Duration) -> Sleep {
        Box::pin(async {})
    }
}

fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

#[derive(Serialize)]
struct Arg {
    n: u32,
}

#[no_mangle]
pub extern "C" fn _start() -> ! {
    let client = Client::new(
        Arc::new(Stub),
        Arc::new(Ticks),
        ConnectOptions::new("10.0.0.1:7233"),
    );
    let ok = block_on(async {
        let handle = client
            .start_workflow(
                "BenchWorkflow",
                (Arg { n: 1 },),
                StartWorkflowOptions::new("probe", "bench"),
            )
            .await
            .ok()?;
        let d = handle.describe().await.ok()?;
        let page = handle
            .fetch_history_page(&HistoryPageOptions::default())
            .await
            .ok()?;
        Some(page.events.len() + d.info.history_length as usize)
    });
    unsafe { core::ptr::write_volatile(core::ptr::addr_of_mut!(RX[3]), ok.unwrap_or(0) as u8) };
    loop {}
}

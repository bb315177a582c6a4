//! Running a test's future on each runtime adapter's executor.

use std::future::Future;

/// Run `future` on a fresh multi-thread tokio runtime with two worker threads (timers and
/// I/O on): the shape of the machines CI runs on.
pub fn block_on_tokio<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(future)
}

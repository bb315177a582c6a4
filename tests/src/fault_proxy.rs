//! [`FaultProxy`]: an HTTP/2 proxy in front of a real server that injects the faults a
//! client meets in production, on command.
//!
//! It terminates HTTP/2 on both sides (h2 server towards the client, h2 client towards the
//! upstream server, one upstream connection per client connection), so it knows each
//! stream's `:path` and can act per gRPC method:
//!
//! - [`refuse`](FaultProxy::refuse): stop listening (connections are refused) and reset
//!   every open connection, as a server that died;
//! - [`reset_new`](FaultProxy::reset_new): accept connections and reset them at once;
//! - [`blackhole`](FaultProxy::blackhole): stop forwarding in both directions on every open
//!   connection, and accept new ones without ever answering (no HTTP/2 settings), as a
//!   network partition or a hung server;
//! - [`drop_responses`](FaultProxy::drop_responses): let requests of a method reach the
//!   server but lose its responses (the client's stream is reset with `INTERNAL_ERROR`, or
//!   its connection closed);
//! - [`go_away`](FaultProxy::go_away): send GOAWAY on every open connection;
//! - [`restore`](FaultProxy::restore): forward normally again.
//!
//! The proxy runs on a tokio runtime of its own, on its own thread, so tests on any runtime
//! can use it; dropping it stops it. `src/bin/fault_proxy.rs` drives one from stdin (for
//! scripts that measure other clients through the same faults).

use std::collections::HashMap;
use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll, Waker};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use h2::{Reason, RecvStream};
use http::{Request, Response};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// Which responses of a method the proxy loses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Drops {
    /// Every response.
    All,
    /// The next `n` responses.
    Next(u32),
    /// Every `n`-th response (1 in `n`).
    EveryNth(u32),
    /// Every response until this instant.
    Until(Instant),
}

/// How a lost response is lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropMode {
    /// Reset the client's stream with `INTERNAL_ERROR` (other calls go on).
    ResetStream,
    /// Close the client's whole connection with a TCP reset.
    CloseConnection,
}

/// What the proxy does with connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Forward,
    Refuse,
    Reset,
    Blackhole,
}

/// Counts of what the proxy did, per gRPC method.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MethodStats {
    /// Requests forwarded to the server.
    pub forwarded: u32,
    /// Responses the proxy lost on purpose.
    pub dropped: u32,
}

/// The proxy; see the [module docs](self).
pub struct FaultProxy {
    address: SocketAddr,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

struct Shared {
    upstream: SocketAddr,
    state: Mutex<State>,
    /// Wakes the accept loop when the mode changes or the proxy stops.
    changed: Notify,
    stopped: AtomicBool,
}

struct State {
    mode: Mode,
    drops: HashMap<String, (Drops, DropMode, u32)>,
    stats: HashMap<String, MethodStats>,
    connections: Vec<Weak<ConnControl>>,
    accepted: u32,
}

/// What the proxy can do to one client connection.
struct ConnControl {
    gate: Gate,
    kill: Notify,
    killed: AtomicBool,
    go_away: Notify,
}

impl ConnControl {
    fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
        self.kill.notify_waiters();
        self.gate.open();
    }

    async fn killed(&self) {
        loop {
            let notified = self.kill.notified();
            if self.killed.load(Ordering::SeqCst) {
                return;
            }
            notified.await;
        }
    }
}

impl FaultProxy {
    /// A proxy on a free loopback port, forwarding to `upstream`.
    pub fn start(upstream: SocketAddr) -> FaultProxy {
        let std_listener =
            std::net::TcpListener::bind("127.0.0.1:0").expect("bind the fault proxy");
        std_listener.set_nonblocking(true).expect("non-blocking");
        let address = std_listener.local_addr().expect("proxy address");
        let shared = Arc::new(Shared {
            upstream,
            state: Mutex::new(State {
                mode: Mode::Forward,
                drops: HashMap::new(),
                stats: HashMap::new(),
                connections: Vec::new(),
                accepted: 0,
            }),
            changed: Notify::new(),
            stopped: AtomicBool::new(false),
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("proxy runtime");
        let for_thread = shared.clone();
        let thread = std::thread::Builder::new()
            .name("fault-proxy".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = TcpListener::from_std(std_listener).expect("listener");
                    accept_loop(for_thread, listener, address).await;
                });
            })
            .expect("proxy thread");
        FaultProxy {
            address,
            shared,
            thread: Some(thread),
        }
    }

    /// `127.0.0.1:PORT`, for the client's options.
    pub fn address(&self) -> String {
        self.address.to_string()
    }

    /// Forward normally: listen again, open the gates, lose nothing.
    pub fn restore(&self) {
        let mut state = self.shared.lock();
        state.mode = Mode::Forward;
        state.drops.clear();
        for conn in state.live() {
            conn.gate.open();
        }
        drop(state);
        self.shared.changed.notify_waiters();
    }

    /// Refuse connections (stop listening) and reset every open one: the server is down.
    pub fn refuse(&self) {
        self.set_mode(Mode::Refuse);
        self.reset_all();
    }

    /// Accept new connections and reset them at once.
    pub fn reset_new(&self) {
        self.set_mode(Mode::Reset);
    }

    /// Reset every open connection (new ones are served as the mode says).
    pub fn reset_all(&self) {
        let state = self.shared.lock();
        for conn in state.live() {
            conn.kill();
        }
    }

    /// Stop forwarding in both directions on every open connection, and accept new ones
    /// without ever answering: silence.
    pub fn blackhole(&self) {
        let state = self.shared.lock();
        for conn in state.live() {
            conn.gate.close();
        }
        drop(state);
        self.set_mode(Mode::Blackhole);
    }

    /// Send GOAWAY (graceful: in-flight calls finish) on every open connection.
    pub fn go_away(&self) {
        let state = self.shared.lock();
        for conn in state.live() {
            conn.go_away.notify_one();
        }
    }

    /// Lose responses of `method` (e.g. `"StartWorkflowExecution"`) as `drops` says, after
    /// the server has processed the request.
    pub fn drop_responses(&self, method: &str, drops: Drops, mode: DropMode) {
        self.shared
            .lock()
            .drops
            .insert(method.to_string(), (drops, mode, 0));
    }

    /// What the proxy did with `method` so far.
    pub fn stats(&self, method: &str) -> MethodStats {
        self.shared
            .lock()
            .stats
            .get(method)
            .cloned()
            .unwrap_or_default()
    }

    /// How many client connections the proxy accepted so far.
    pub fn accepted(&self) -> u32 {
        self.shared.lock().accepted
    }

    fn set_mode(&self, mode: Mode) {
        self.shared.lock().mode = mode;
        self.shared.changed.notify_waiters();
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.stopped.store(true, Ordering::SeqCst);
        self.reset_all();
        self.shared.changed.notify_waiters();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the response of a `method` call is to be lost, and how; counts it.
    fn verdict(&self, method: &str) -> Option<DropMode> {
        let mut state = self.lock();
        let stats = state.stats.entry(method.to_string()).or_default();
        stats.forwarded += 1;
        let (drops, mode, seen) = state.drops.get_mut(method)?;
        *seen += 1;
        let lose = match *drops {
            Drops::All => true,
            Drops::Next(n) => *seen <= n,
            Drops::EveryNth(n) => n > 0 && *seen % n == 0,
            Drops::Until(until) => Instant::now() < until,
        };
        let mode = *mode;
        if lose {
            if let Some(stats) = state.stats.get_mut(method) {
                stats.dropped += 1;
            }
        }
        lose.then_some(mode)
    }
}

impl State {
    fn live(&self) -> Vec<Arc<ConnControl>> {
        self.connections.iter().filter_map(Weak::upgrade).collect()
    }
}

async fn accept_loop(shared: Arc<Shared>, listener: TcpListener, address: SocketAddr) {
    let mut listener = Some(listener);
    loop {
        if shared.stopped.load(Ordering::SeqCst) {
            return;
        }
        let changed = shared.changed.notified();
        let mode = shared.lock().mode;
        if mode == Mode::Refuse {
            // Not listening: connections are refused until the mode changes.
            listener = None;
            changed.await;
            continue;
        }
        let active = match &listener {
            Some(listener) => listener,
            None => match TcpListener::bind(address).await {
                Ok(bound) => listener.insert(bound),
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        tokio::select! {
            accepted = active.accept() => {
                let Ok((socket, _)) = accepted else { continue };
                let _ = socket.set_nodelay(true);
                // A reset, not a FIN, whenever the proxy drops a connection.
                let _ = socket.set_zero_linger();
                let control = Arc::new(ConnControl {
                    gate: Gate::default(),
                    kill: Notify::new(),
                    killed: AtomicBool::new(false),
                    go_away: Notify::new(),
                });
                let mode = {
                    let mut state = shared.lock();
                    state.accepted += 1;
                    state.connections.retain(|c| c.strong_count() > 0);
                    state.connections.push(Arc::downgrade(&control));
                    state.mode
                };
                match mode {
                    Mode::Reset | Mode::Refuse => drop(socket),
                    Mode::Blackhole => {
                        control.gate.close();
                        tokio::spawn(serve(shared.clone(), socket, control));
                    }
                    Mode::Forward => {
                        tokio::spawn(serve(shared.clone(), socket, control));
                    }
                }
            }
            () = changed => {}
        }
    }
}

/// Serve one client connection until it ends or is killed.
async fn serve(shared: Arc<Shared>, socket: TcpStream, control: Arc<ConnControl>) {
    let io = GatedIo {
        io: socket,
        control: control.clone(),
    };
    tokio::select! {
        _ = relay(shared, io, control.clone()) => {}
        () = control.killed() => {}
    }
}

/// Accept the client's streams and forward each; `None` when the connection ends.
async fn relay(shared: Arc<Shared>, io: GatedIo, control: Arc<ConnControl>) -> Option<()> {
    let mut builder = h2::server::Builder::new();
    builder.max_header_list_size(16 * 1024 * 1024);
    let mut conn = builder.handshake::<_, Bytes>(io).await.ok()?;
    let upstream = TcpStream::connect(shared.upstream).await.ok()?;
    let _ = upstream.set_nodelay(true);
    let (sender, upstream_conn) = h2::client::Builder::new()
        .max_header_list_size(16 * 1024 * 1024)
        .handshake::<_, Bytes>(upstream)
        .await
        .ok()?;
    tokio::spawn(async move {
        let _ = upstream_conn.await;
    });
    loop {
        tokio::select! {
            next = conn.accept() => {
                let (request, respond) = next?.ok()?;
                tokio::spawn(forward(
                    shared.clone(),
                    control.clone(),
                    sender.clone(),
                    request,
                    respond,
                ));
            }
            () = control.go_away.notified() => conn.graceful_shutdown(),
        }
    }
}

/// Forward one call and its response, unless the response is to be lost.
async fn forward(
    shared: Arc<Shared>,
    control: Arc<ConnControl>,
    upstream: h2::client::SendRequest<Bytes>,
    request: Request<RecvStream>,
    mut respond: h2::server::SendResponse<Bytes>,
) {
    let method = request
        .uri()
        .path()
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_string();
    let (parts, mut body) = request.into_parts();
    let Ok(body) = read_all(&mut body).await else {
        return;
    };
    let mut upstream_request = Request::from_parts(parts, ());
    let path = upstream_request
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    *upstream_request.uri_mut() = format!("http://{}{path}", shared.upstream)
        .parse()
        .expect("upstream URI");
    let exchange = async {
        let mut sender = upstream.ready().await.ok()?;
        let (response, mut send) = sender
            .send_request(upstream_request, body.is_empty())
            .ok()?;
        if !body.is_empty() {
            send.send_data(body, true).ok()?;
        }
        let response = response.await.ok()?;
        let (parts, mut response_body) = response.into_parts();
        let data = read_all(&mut response_body).await.ok()?;
        let trailers = response_body.trailers().await.ok()?;
        Some((parts, data, trailers))
    };
    let outcome = tokio::select! {
        outcome = exchange => outcome,
        // The client gave up on the call: drop the upstream stream too.
        _ = poll_fn(|cx| respond.poll_reset(cx)) => return,
    };
    let Some((parts, data, trailers)) = outcome else {
        // The upstream server failed the call (it went away): so does the proxy.
        respond.send_reset(Reason::INTERNAL_ERROR);
        return;
    };
    match shared.verdict(&method) {
        Some(DropMode::ResetStream) => {
            respond.send_reset(Reason::INTERNAL_ERROR);
            return;
        }
        Some(DropMode::CloseConnection) => {
            control.kill();
            return;
        }
        None => {}
    }
    let end_now = data.is_empty() && trailers.is_none();
    let Ok(mut stream) = respond.send_response(Response::from_parts(parts, ()), end_now) else {
        return;
    };
    if !data.is_empty() && stream.send_data(data, trailers.is_none()).is_err() {
        return;
    }
    if let Some(trailers) = trailers {
        let _ = stream.send_trailers(trailers);
    }
}

/// Every DATA frame of `body`, flow control released as they come.
async fn read_all(body: &mut RecvStream) -> Result<Bytes, h2::Error> {
    let mut all = BytesMut::new();
    while let Some(chunk) = body.data().await {
        let chunk = chunk?;
        let _ = body.flow_control().release_capacity(chunk.len());
        all.extend_from_slice(&chunk);
    }
    Ok(all.freeze())
}

/// Holds a connection's reads and writes while closed: the peer hears nothing.
#[derive(Default)]
struct Gate {
    closed: AtomicBool,
    wakers: Mutex<Vec<Waker>>,
}

impl Gate {
    fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
    }

    fn open(&self) {
        self.closed.store(false, Ordering::SeqCst);
        let wakers = std::mem::take(&mut *self.wakers.lock().unwrap_or_else(|p| p.into_inner()));
        wakers.into_iter().for_each(Waker::wake);
    }

    /// Pending (and registered for a wake) while closed.
    fn poll_pass(&self, cx: &mut Context<'_>) -> Poll<()> {
        if !self.closed.load(Ordering::SeqCst) {
            return Poll::Ready(());
        }
        let mut wakers = self.wakers.lock().unwrap_or_else(|p| p.into_inner());
        wakers.push(cx.waker().clone());
        drop(wakers);
        // Opened meanwhile: go on.
        if self.closed.load(Ordering::SeqCst) {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    }
}

/// A client socket behind its connection's [`Gate`].
struct GatedIo {
    io: TcpStream,
    control: Arc<ConnControl>,
}

impl AsyncRead for GatedIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        std::task::ready!(self.control.gate.poll_pass(cx));
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl AsyncWrite for GatedIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        std::task::ready!(self.control.gate.poll_pass(cx));
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.control.gate.poll_pass(cx));
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

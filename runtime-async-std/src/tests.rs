//! Unit tests of the adapter's pieces against loopback sockets, under async-std only.

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_std::io::{ReadExt as _, WriteExt as _};
use async_std::net::TcpListener;
use async_std::task::block_on;
use futures_rustls::rustls;
use temporal_lite_core::engine::{BoxIo, ConnectError, ConnectTarget, Runtime, TlsConnect};
use temporal_lite_core::time::Clock;

use crate::{AsyncStdIo, AsyncStdRuntime};

async fn listener() -> (TcpListener, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    (listener, port)
}

async fn read_some(io: &mut BoxIo, buf: &mut [u8]) -> usize {
    let mut read_buf = hyper::rt::ReadBuf::new(buf);
    poll_fn(|cx| hyper::rt::Read::poll_read(Pin::new(&mut *io), cx, read_buf.unfilled()))
        .await
        .unwrap();
    read_buf.filled().len()
}

async fn write_all(io: &mut BoxIo, mut data: &[u8]) {
    while !data.is_empty() {
        let n = poll_fn(|cx| hyper::rt::Write::poll_write(Pin::new(&mut *io), cx, data))
            .await
            .unwrap();
        data = &data[n..];
    }
    poll_fn(|cx| hyper::rt::Write::poll_flush(Pin::new(&mut *io), cx))
        .await
        .unwrap();
}

fn runtime() -> Arc<dyn Runtime> {
    Arc::new(AsyncStdRuntime::new())
}

/// A connect to `port` on this machine.
fn local(port: u16, tls: Option<TlsConnect>) -> ConnectTarget {
    ConnectTarget {
        host: "127.0.0.1".into(),
        port,
        tls,
    }
}

#[test]
fn plaintext_connect_carries_bytes_both_ways() {
    block_on(async {
        let (listener, port) = listener().await;
        let server = async_std::task::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 5];
            stream.read_exact(&mut buf).await.unwrap();
            stream.write_all(b"pong!").await.unwrap();
            buf
        });
        let mut io = runtime().connect(local(port, None)).await.unwrap();
        assert!(io.is_write_vectored());
        write_all(&mut io, b"ping!").await;
        let mut buf = [0u8; 16];
        let mut got = Vec::new();
        while got.len() < 5 {
            let n = read_some(&mut io, &mut buf).await;
            assert_ne!(n, 0, "unexpected end of stream");
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, b"pong!");
        assert_eq!(&server.await, b"ping!");
    });
}

#[test]
fn reads_respect_a_small_destination() {
    block_on(async {
        let (listener, port) = listener().await;
        let server = async_std::task::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            stream.write_all(&[7u8; 100]).await.unwrap();
            stream
        });
        let tcp = async_std::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        let _server_side = server.await;
        let mut io: BoxIo = Box::new(AsyncStdIo::new(tcp));
        assert!(!io.is_write_vectored());
        let mut total = 0;
        while total < 100 {
            let mut small = [0u8; 3];
            let n = read_some(&mut io, &mut small).await;
            assert!((1..=3).contains(&n), "{n}");
            assert!(small[..n].iter().all(|b| *b == 7));
            total += n;
        }
    });
}

#[test]
fn refused_connection_is_a_tcp_error() {
    block_on(async {
        let (listener, port) = listener().await;
        drop(listener);
        match runtime().connect(local(port, None)).await {
            Err(ConnectError::Tcp(e)) => {
                assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused, "{e}")
            }
            Err(other) => panic!("expected a TCP error, got {other}"),
            Ok(_) => panic!("connected to a closed port"),
        }
    });
}

#[test]
fn tls_handshake_failure_carries_the_rustls_error() {
    block_on(async {
        let (listener, port) = listener().await;
        // A plaintext HTTP/1 server: its answer is not a TLS record.
        let server = async_std::task::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 512];
            let _ = stream.read(&mut buf).await;
            let _ = stream
                .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                .await;
            stream
        });
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth();
        let tls = TlsConnect {
            config: Arc::new(config),
            server_name: "localhost".try_into().unwrap(),
        };
        match runtime().connect(local(port, Some(tls))).await {
            Err(ConnectError::Tls(e)) => {
                let inner = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>());
                assert!(inner.is_some(), "no rustls error inside {e:?}");
            }
            Err(other) => panic!("expected a TLS error, got {other}"),
            Ok(_) => panic!("handshake with a plaintext server succeeded"),
        }
        drop(server.await);
    });
}

#[test]
fn spawned_tasks_run_without_being_awaited() {
    let (sender, receiver) = std::sync::mpsc::channel();
    runtime().spawn(Box::pin(async move {
        async_std::task::sleep(Duration::from_millis(10)).await;
        sender.send(42).unwrap();
    }));
    assert_eq!(receiver.recv_timeout(Duration::from_secs(5)), Ok(42));
}

#[test]
fn engine_sleep_waits_at_least_its_duration() {
    let sleep = runtime().sleep(Duration::from_millis(50));
    let started = Instant::now();
    // Polled by an executor that is not async-std's: the reactor still fires it.
    futures_block_on(sleep);
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(50) && elapsed < Duration::from_secs(2),
        "{elapsed:?}"
    );
}

#[test]
fn clock_is_monotonic_and_sleeps() {
    let clock = AsyncStdRuntime::new();
    let first = clock.now();
    block_on(Clock::sleep(&clock, Duration::from_millis(30)));
    let second = clock.now();
    assert!(
        second >= first + Duration::from_millis(30),
        "{first:?} {second:?}"
    );
    assert!(second < Duration::from_secs(5), "{second:?}");
}

/// A minimal executor: poll on this thread, park between wake-ups.
fn futures_block_on<F: Future>(future: F) -> F::Output {
    use std::task::{Context, Poll, Wake, Waker};
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        std::thread::park();
    }
}

#[test]
fn spawn_blocking_runs_the_work_off_the_calling_task() {
    let caller = std::thread::current().id();
    let ran_on = Arc::new(std::sync::Mutex::new(None));
    let slot = ran_on.clone();
    block_on(AsyncStdRuntime::new().spawn_blocking(Box::new(move || {
        *slot.lock().unwrap() = Some(std::thread::current().id());
    })));
    let ran_on = ran_on.lock().unwrap().expect("the work ran");
    assert_ne!(ran_on, caller);
}

#[test]
fn connect_profile_reads_the_config_on_the_blocking_pool_and_names_a_missing_profile() {
    // No such profile in whatever file the environment names: the error says which.
    let profile = "temporal-lite-no-such-profile";
    let error = block_on(async { crate::connect_profile(profile).await }).unwrap_err();
    assert!(error.to_string().contains(profile), "{error}");
}

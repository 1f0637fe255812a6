//! The server itself: a client that never finishes its headers is cut off; shutdown stops
//! accepting and lets the requests in flight finish.

use crate::common;

use std::time::{Duration, Instant};

use common::TestApp;
use roster_server::startup::serve_until;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

async fn exchange(address: std::net::SocketAddr, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(address).await.expect("connects");
    stream.write_all(request).await.expect("writes");
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("answered in time")
        .expect("reads");
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let app = TestApp::sqlite().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let address = listener.local_addr().expect("has an address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_until(
        app.router.clone(),
        listener,
        Duration::from_millis(500),
        async move {
            let _ = stopped.await;
        },
    ));

    let mut slow = TcpStream::connect(address).await.expect("connects");
    slow.write_all(b"GET /api/health HTTP/1.1\r\nHost: roster.test\r\n")
        .await
        .expect("writes");
    let started = Instant::now();
    let mut rest = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut rest))
        .await
        .expect("the slow connection is closed by the server")
        .ok();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(
        rest.is_empty() || String::from_utf8_lossy(&rest).starts_with("HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&rest)
    );

    let answer = exchange(
        address,
        b"GET /api/health HTTP/1.1\r\nHost: roster.test\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(answer.contains(r#""status":"ok""#), "{answer}");

    stop.send(()).expect("the server listens for the signal");
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("shuts down promptly when idle")
        .expect("no panic");
    assert!(
        TcpStream::connect(address).await.is_err(),
        "no longer accepting"
    );
    app.finish().await;
}

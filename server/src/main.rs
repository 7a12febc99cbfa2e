use clap::Parser;
use std::{net::SocketAddr, path::PathBuf, sync::Arc};
use tokio::net::TcpListener;
use waitwell_server::{db, surface_urls, AppState, WebRoot};

/// The Waitwell reference server: API + the built kiosk app.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "WAITWELL_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// SQLite database file (created with its folder if missing).
    #[arg(long, env = "WAITWELL_DB", default_value = "data/waitwell.db")]
    db: PathBuf,
    /// The app built by trunk.
    #[arg(long, env = "WAITWELL_DIST", default_value = "dist")]
    dist: PathBuf,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "waitwell_server=info,tower_http=warn".into()),
        )
        .init();
    match run(Args::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("waitwell-server: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let pool = db::connect(&args.db)
        .await
        .map_err(|e| format!("cannot open database {}: {e}", args.db.display()))?;
    let web = WebRoot::load(args.dist.clone());
    if web.index_html.is_none() {
        eprintln!(
            "waitwell-server: no {}/index.html; the API works, pages answer 503 until the app is built (make run)",
            args.dist.display()
        );
    }
    let listener = TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;

    println!("Waitwell is running: http://{addr}/");
    for (surface, url) in surface_urls(addr) {
        println!("  {:<10} {url}", surface.as_str());
    }
    println!("  {:<10} http://{addr}/setup", "setup");
    println!("Press Ctrl+C to stop.");

    let state = AppState {
        db: pool,
        web: Arc::new(web),
    };
    waitwell_server::serve(listener, state, shutdown_signal())
        .await
        .map_err(|e| format!("server error: {e}"))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

use clap::Parser;
use std::{net::SocketAddr, path::PathBuf, sync::Arc};
use tokio::net::TcpListener;
use waitwell_server::{
    clock::SystemClock, demo, settings::Settings, store, store::attempts, store::idempotency,
    surface_urls, AppState, WebRoot,
};

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
    /// Site settings (JSON: clinic, lines, rooms, limits, staff PIN); the
    /// demo clinic's when absent.
    #[arg(long, env = "WAITWELL_SITE")]
    site: Option<PathBuf>,
    /// Add the demo clinic's appointments for today (if today has none).
    #[arg(long, env = "WAITWELL_DEMO")]
    demo: bool,
    /// Print the OpenAPI document of the HTTP contract and exit.
    #[arg(long)]
    print_openapi: bool,
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
    if args.print_openapi {
        print!("{}", waitwell_server::openapi::document());
        return Ok(());
    }
    let settings = match &args.site {
        Some(path) => Settings::load(path).map_err(|e| e.to_string())?,
        None => Settings::demo(jiff::tz::TimeZone::system()),
    };
    let pool = store::connect(&args.db)
        .await
        .map_err(|e| format!("cannot open database {}: {e}", args.db.display()))?;
    let web = WebRoot::load(args.dist.clone());
    if web.index_html.is_none() {
        eprintln!(
            "waitwell-server: no {}/index.html; the API works, pages answer 503 until the app is built (make run)",
            args.dist.display()
        );
    }
    let state = AppState::new(pool, web, settings, Arc::new(SystemClock))
        .await
        .map_err(|e| format!("cannot prepare the database: {e}"))?;
    let demo_patient = if args.demo {
        demo::seed(&state.db, &state.settings, &state.local_now())
            .await
            .map_err(|e| format!("cannot add the demo appointments: {e}"))?
            .into_iter()
            .next()
    } else {
        None
    };

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
    if let Some(p) = demo_patient {
        // Made-up demo people, printed on purpose so a person can try it.
        println!(
            "Demo patient: last name \"{}\", born {} (or appointment code {}), due at {}.",
            p.family_name, p.birth_date, p.code, p.time
        );
    }
    if args.site.is_none() {
        println!(
            "Staff PIN (demo settings): {} (your own: --site, see server/site.example.json)",
            state.settings.staff.pin
        );
    }
    println!("Press Ctrl+C to stop.");

    // Idempotency keys are kept for their retention period, failed attempts
    // for their window, then purged.
    let housekeeping = {
        let state = state.clone();
        tokio::spawn(async move {
            let mut hourly = tokio::time::interval(std::time::Duration::from_secs(3600));
            loop {
                hourly.tick().await;
                if let Err(e) = idempotency::purge(&state.db, state.now().as_second()).await {
                    tracing::warn!(error = %e, "purging old idempotency keys failed");
                }
                let window = state
                    .settings
                    .identify
                    .window_seconds
                    .max(state.settings.staff.lockout_seconds);
                if let Err(e) = attempts::purge(&state.db, state.now().as_second(), window).await {
                    tracing::warn!(error = %e, "purging old failed attempts failed");
                }
            }
        })
    };

    let served = waitwell_server::serve(listener, state, shutdown_signal())
        .await
        .map_err(|e| format!("server error: {e}"));
    housekeeping.abort();
    served
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

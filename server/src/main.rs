use clap::{Parser, Subcommand};
use std::{net::SocketAddr, path::PathBuf, sync::Arc};
use tokio::net::TcpListener;
use waitwell_server::{
    clock::SystemClock, demo, fhir::FhirSchedule, hub::QueueHub, settings::Settings, store,
    surface_urls, tls, AppState, WebRoot,
};

/// The Waitwell reference server: API + the built kiosk app.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "WAITWELL_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// SQLite database file (created with its folder if missing).
    #[arg(
        long,
        env = "WAITWELL_DB",
        default_value = "data/waitwell.db",
        global = true
    )]
    db: PathBuf,
    /// The app built by trunk.
    #[arg(long, env = "WAITWELL_DIST", default_value = "dist")]
    dist: PathBuf,
    /// Site settings (JSON: clinic, lines, rooms, limits, sign-in rules); the
    /// demo clinic's when absent.
    #[arg(long, env = "WAITWELL_SITE")]
    site: Option<PathBuf>,
    /// Add the demo clinic's appointments for today (if today has none),
    /// and a demo staff account (printed). Also approves every tablet's
    /// pairing at once (see --approve-tablets).
    #[arg(long, env = "WAITWELL_DEMO")]
    demo: bool,
    /// Approve every tablet's pairing request at once instead of waiting
    /// for staff (a demo or a test bench: the tablet still pairs and holds
    /// its own credential; a request that never paired is still refused).
    /// On with --demo unless `--approve-tablets=false`.
    #[arg(long, env = "WAITWELL_APPROVE_TABLETS", num_args = 0..=1,
        default_missing_value = "true", require_equals = true)]
    approve_tablets: Option<bool>,
    /// TLS: the certificate chain (PEM). With `--tls-key`.
    #[arg(long, env = "WAITWELL_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// TLS: the certificate's private key (PEM).
    #[arg(long, env = "WAITWELL_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// TLS with a self-signed certificate, made on first start beside the
    /// database (`tls/`) and kept; its fingerprint is printed for checking
    /// when a tablet is set up.
    #[arg(long, env = "WAITWELL_TLS_SELF_SIGNED", conflicts_with = "tls_cert")]
    tls_self_signed: bool,
    /// A host name or IP address the self-signed certificate is for (the
    /// one tablets use), besides localhost and this machine's name.
    #[arg(long = "tls-name", env = "WAITWELL_TLS_NAMES", value_delimiter = ',')]
    tls_names: Vec<String>,
    /// Serve plain HTTP on an address beyond this machine (refused
    /// otherwise: PINs, cookies and patients' details would cross the
    /// network readable).
    #[arg(long, env = "WAITWELL_INSECURE_HTTP")]
    insecure_http: bool,
    /// Where today's appointments come from: `imported` (imports into the
    /// database) or `fhir-r4` (a FHIR R4 server: --fhir-base). The site's
    /// `fhir.base_url`, when set, means `fhir-r4`.
    #[arg(long, env = "WAITWELL_SCHEDULE", value_enum)]
    schedule: Option<ScheduleKind>,
    /// The FHIR server's base address (instead of the site's fhir.base_url).
    #[arg(long, env = "WAITWELL_FHIR_BASE")]
    fhir_base: Option<String>,
    /// A file holding a bearer token for the FHIR server (instead of the
    /// site's fhir.token_file).
    #[arg(long, env = "WAITWELL_FHIR_TOKEN_FILE")]
    fhir_token_file: Option<PathBuf>,
    /// Print the OpenAPI document of the HTTP contract and exit.
    #[arg(long)]
    print_openapi: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ScheduleKind {
    Imported,
    #[value(name = "fhir-r4")]
    FhirR4,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Staff accounts (each person has their own; none are made for you
    /// outside --demo).
    Staff {
        #[command(subcommand)]
        action: StaffCommand,
    },
}

#[derive(Debug, Subcommand)]
enum StaffCommand {
    /// Adds an account and prints its passphrase, once: give it to the
    /// person in person.
    Add {
        name: String,
        /// A manager may also read the access log at /insights.
        #[arg(long)]
        manager: bool,
    },
    /// A new passphrase (printed once); forgets the PIN, ends sessions.
    Reset { name: String },
    /// The account can no longer sign in; its sessions end at once.
    Disable { name: String },
    /// A disabled account can sign in again.
    Enable { name: String },
    /// Lists the accounts.
    List,
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
    if let Some(Command::Staff { action }) = &args.command {
        return staff_command(&args.db, action).await;
    }
    let mut settings = match &args.site {
        Some(path) => Settings::load(path).map_err(|e| e.to_string())?,
        None => Settings::demo(jiff::tz::TimeZone::system()),
    };
    settings.devices.approve_at_once = args.approve_tablets.unwrap_or(args.demo);
    if let Some(base) = &args.fhir_base {
        settings.fhir.base_url = Some(base.clone());
    }
    if let Some(file) = &args.fhir_token_file {
        settings.fhir.token_file = Some(file.clone());
    }
    let from_fhir = match args.schedule {
        Some(kind) => kind == ScheduleKind::FhirR4,
        None => settings.fhir.base_url.is_some(),
    };
    if from_fhir && args.demo && settings.fhir.code_system.is_none() {
        // The demo letters' codes, as the demo EHR holds them.
        settings.fhir.code_system = Some(demo::DEMO_LETTERS.into());
    }
    let tls = tls_for(&args)?;
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
    let mut state = AppState::new(pool, web, settings, Arc::new(SystemClock))
        .await
        .map_err(|e| format!("cannot prepare the database: {e}"))?;
    state.tls = tls.is_some();
    let mut demo_patient = None;
    let fhir = if from_fhir {
        let schedule = Arc::new(FhirSchedule::connect(&state.settings, state.clock.clone()).await?);
        if args.demo {
            demo_patient = demo::seed_ehr(schedule.client(), &state.settings, &state.local_now())
                .await?
                .into_iter()
                .next();
        }
        let today = state.today();
        match schedule.sync(&state.db, &today).await {
            Ok(synced) => println!(
                "Schedule: FHIR R4 at {} ({} appointments added, {} updated, {} removed for {today}; read every {} s)",
                state.settings.fhir.base_url.as_deref().unwrap_or_default(),
                synced.added,
                synced.updated,
                synced.removed,
                state.settings.fhir.sync_seconds
            ),
            Err(e) => eprintln!("waitwell-server: today's schedule not read yet: {e}"),
        }
        state.hub = Arc::new(QueueHub::new(schedule.clone()));
        Some(schedule)
    } else {
        None
    };
    // With a FHIR schedule, the demo appointments are in the (local) EHR.
    if args.demo && fhir.is_none() {
        demo_patient = demo::seed(&state.db, &state.settings, &state.local_now())
            .await
            .map_err(|e| format!("cannot add the demo appointments: {e}"))?
            .into_iter()
            .next();
    }
    let demo_staff = if args.demo {
        demo::ensure_staff(&state.db, state.now().as_second())
            .await
            .map_err(|e| format!("cannot add the demo staff account: {e}"))?
    } else {
        None
    };
    if !args.demo
        && demo::published_staff_account(&state.db)
            .await
            .map_err(|e| format!("cannot read staff accounts: {e}"))?
    {
        return Err(format!(
            "the demo account \"{}\" can still sign in with its published passphrase: \
             disable it first (waitwell-server --db {} staff disable {})",
            demo::STAFF_NAME,
            args.db.display(),
            demo::STAFF_NAME
        ));
    }
    let accounts = store::staff::enabled_count(&state.db)
        .await
        .map_err(|e| format!("cannot read staff accounts: {e}"))?;
    if accounts == 0 {
        return Err(format!(
            "no staff accounts, so nobody could run reception: add one first with\n  \
             waitwell-server --db {} staff add \"YOUR NAME\" --manager",
            args.db.display()
        ));
    }

    let listener = TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;

    print_banner(
        addr,
        tls.as_ref().map(|t| t.fingerprint.as_str()),
        demo_patient,
        demo_staff,
        state.settings.devices.approve_at_once,
    );

    let housekeeping = tokio::spawn(waitwell_server::housekeeping::run(state.clone()));
    let syncing = fhir.map(|schedule| {
        [
            schedule.clone().spawn(state.db.clone()),
            schedule.spawn_writer(state.db.clone(), state.hub.clone()),
        ]
    });

    let served = match tls {
        Some(loaded) => {
            waitwell_server::serve_tls(listener, state, loaded.acceptor, shutdown_signal()).await
        }
        None => waitwell_server::serve(listener, state, shutdown_signal()).await,
    }
    .map_err(|e| format!("server error: {e}"));
    housekeeping.abort();
    for task in syncing.into_iter().flatten() {
        task.abort();
    }
    served
}

/// What a person starting the server needs to know: where each surface is,
/// the certificate to check, a demo patient to try, the demo account.
fn print_banner(
    addr: SocketAddr,
    fingerprint: Option<&str>,
    demo_patient: Option<demo::DemoPatient>,
    demo_staff: Option<(&str, &str)>,
    approve_tablets: bool,
) {
    let scheme = if fingerprint.is_some() {
        "https"
    } else {
        "http"
    };
    println!("Waitwell is running: {scheme}://{addr}/");
    for (surface, url) in surface_urls(addr, scheme) {
        println!("  {:<10} {url}", surface.as_str());
    }
    println!("  {:<10} {scheme}://{addr}/setup", "setup");
    println!(
        "  {:<10} {scheme}://{addr}{}",
        "tablets",
        waitwell_core::Page::TABLETS_PATH
    );
    if let Some(fingerprint) = fingerprint {
        println!(
            "TLS certificate SHA-256 fingerprint (check it on each tablet when setting it up):"
        );
        println!("  {fingerprint}");
    } else if !addr.ip().is_loopback() {
        tracing::warn!("serving plain HTTP beyond this machine (--insecure-http): everything crosses the network readable");
    }
    if let Some(p) = demo_patient {
        // Made-up demo people, printed on purpose so a person can try it.
        println!(
            "Demo patient: last name \"{}\", born {} (or appointment code {}), due at {}.",
            p.family_name, p.birth_date, p.code, p.time
        );
    }
    if let Some((name, passphrase)) = demo_staff {
        println!(
            "Staff sign-in (demo account): name \"{name}\", passphrase \"{passphrase}\" \
             (a clinic's own: waitwell-server staff add NAME)"
        );
    }
    if approve_tablets {
        println!(
            "Tablets: every pairing is approved at once (--demo or --approve-tablets); \
             without it, approve each tablet's code at /tablets."
        );
    } else {
        println!("Tablets: open one, note its pairing code, approve it at /tablets.");
    }
    println!("Press Ctrl+C to stop.");
}

/// The TLS the flags ask for, or none; plain HTTP beyond loopback is
/// refused unless asked for by name.
fn tls_for(args: &Args) -> Result<Option<tls::Loaded>, String> {
    let files = match (&args.tls_cert, &args.tls_key, args.tls_self_signed) {
        (Some(cert), Some(key), _) => Some(tls::TlsFiles {
            cert: cert.clone(),
            key: key.clone(),
        }),
        (_, _, true) => {
            let dir = args
                .db
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."))
                .join("tls");
            let mut names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
            if !args.listen.ip().is_unspecified() {
                names.push(args.listen.ip().to_string());
            }
            if let Ok(host) = std::fs::read_to_string("/etc/hostname") {
                names.push(host.trim().to_owned());
            }
            names.extend(args.tls_names.iter().cloned());
            names.retain(|n| !n.is_empty());
            names.dedup();
            Some(tls::self_signed(&dir, names).map_err(|e| e.to_string())?)
        }
        _ => None,
    };
    match files {
        Some(files) => tls::load(&files).map(Some).map_err(|e| e.to_string()),
        None if args.listen.ip().is_loopback() || args.insecure_http => Ok(None),
        None => Err(format!(
            "{} is reachable from the network: use TLS (--tls-self-signed, or --tls-cert and \
             --tls-key), or --insecure-http if something else encrypts the traffic",
            args.listen
        )),
    }
}

/// Runs `waitwell-server staff …` against the database and exits.
async fn staff_command(db: &std::path::Path, action: &StaffCommand) -> Result<(), String> {
    use waitwell_core::contract::StaffRole;
    use waitwell_server::accounts;
    let pool = store::connect(db)
        .await
        .map_err(|e| format!("cannot open database {}: {e}", db.display()))?;
    let now = jiff::Timestamp::now().as_second();
    let failed = |e: store::staff::AccountError| e.to_string();
    match action {
        StaffCommand::Add { name, manager } => {
            let role = if *manager {
                StaffRole::Manager
            } else {
                StaffRole::Staff
            };
            let passphrase = accounts::add(&pool, name, role, now)
                .await
                .map_err(failed)?;
            println!("Added {} account \"{}\".", role.as_str(), name.trim());
            println!("Passphrase (shown once; give it to them in person): {passphrase}");
        }
        StaffCommand::Reset { name } => {
            let passphrase = accounts::reset(&pool, name, now).await.map_err(failed)?;
            println!("New passphrase for \"{}\" (shown once; their PIN is cleared and their sessions ended): {passphrase}", name.trim());
        }
        StaffCommand::Disable { name } => {
            accounts::set_disabled(&pool, name, true, now)
                .await
                .map_err(failed)?;
            println!(
                "Disabled \"{}\": signed out everywhere, and cannot sign in.",
                name.trim()
            );
        }
        StaffCommand::Enable { name } => {
            accounts::set_disabled(&pool, name, false, now)
                .await
                .map_err(failed)?;
            println!("Enabled \"{}\".", name.trim());
        }
        StaffCommand::List => {
            let all = store::staff::list(&pool).await.map_err(|e| e.to_string())?;
            if all.is_empty() {
                println!("No staff accounts. Add one: waitwell-server staff add NAME --manager");
            }
            for (name, role, disabled, pin) in all {
                let mut notes = vec![role.as_str()];
                if pin {
                    notes.push("PIN set");
                }
                if disabled {
                    notes.push("disabled");
                }
                println!("{name}\t{}", notes.join(", "));
            }
        }
    }
    Ok(())
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

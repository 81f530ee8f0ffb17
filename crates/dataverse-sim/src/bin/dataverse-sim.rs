//! `dataverse-sim [--http ADDR] [--https ADDR] [--scenario demo|healthy|missing-profile] [--static DIR] [--speed N]`
//!
//! Serves two orgs: "contoso" (the chosen scenario, default demo) and "fabrikam" (missing profile).
//! Prints one line per listening URL and runs until Ctrl-C.

use std::path::PathBuf;
use std::process::ExitCode;

use dataverse_sim::{ClockMode, Config, Scenario, Sim};

const USAGE: &str = "usage: dataverse-sim [--http ADDR] [--https ADDR] [--scenario demo|healthy|missing-profile|fresh|queues-only|large] [--static DIR] [--speed FACTOR] [--seed N]
  --http ADDR       plain HTTP listener (default 127.0.0.1:8080; 'off' to disable)
  --https ADDR      HTTPS listener with a self-signed certificate (default: none)
  --scenario NAME   data of the org 'contoso' (default demo); 'fabrikam' is always missing-profile
  --static DIR      serve DIR under /syncready/ (the extension's web-app build)
  --speed FACTOR    sim clock runs FACTOR times faster than real time (default 10)
  --seed N          seed of the 'contoso' scenario (default: the scenario's own)";

struct Args {
    http: Option<String>,
    https: Option<String>,
    scenario: String,
    static_dir: Option<PathBuf>,
    speed: f64,
    seed: Option<u64>,
}

fn parse(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut a = Args {
        http: Some("127.0.0.1:8080".into()),
        https: None,
        scenario: "demo".into(),
        static_dir: None,
        speed: 10.0,
        seed: None,
    };
    while let Some(flag) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match flag.as_str() {
            "--http" => {
                let v = value("--http")?;
                a.http = (v != "off").then_some(v);
            }
            "--https" => a.https = Some(value("--https")?),
            "--scenario" => a.scenario = value("--scenario")?,
            "--static" => a.static_dir = Some(PathBuf::from(value("--static")?)),
            "--speed" => {
                a.speed = value("--speed")?.parse().map_err(|_| "--speed needs a number".to_string())?;
            }
            "--seed" => {
                a.seed = Some(value("--seed")?.parse().map_err(|_| "--seed needs a number".to_string())?)
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    Ok(a)
}

fn scenario(name: &str) -> Result<Scenario, String> {
    Ok(match name {
        "demo" => Scenario::demo(),
        "healthy" => Scenario::healthy("Contoso"),
        "missing-profile" => Scenario::missing_profile("Contoso"),
        "fresh" => Scenario::fresh("Contoso"),
        "queues-only" => Scenario::queues_only("Contoso"),
        "large" => Scenario::large("Contoso", 50_000),
        other => return Err(format!("unknown scenario '{other}'")),
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)).and_then(|a| scenario(&a.scenario).map(|s| (a, s))) {
        Ok(x) => x,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("dataverse-sim: {msg}");
            }
            eprintln!("{USAGE}");
            return if msg.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) };
        }
    };
    let (args, mut contoso) = args;
    if let Some(seed) = args.seed {
        contoso = contoso.seed(seed);
    }
    let config = Config { clock: ClockMode::Real { factor: args.speed }, ..Config::default() };
    let mut builder = Sim::builder()
        .config(config)
        .org("contoso", contoso)
        .org("fabrikam", Scenario::missing_profile("Fabrikam"));
    if let Some(dir) = args.static_dir {
        builder = builder.static_dir(dir);
    }
    let sim = builder.build();
    // Microsoft Graph for the demo's own sign-in (issue 16): Contoso's tenant, answering on
    // graph.microsoft.com when a browser maps that host here.
    sim.attach_graph(dataverse_sim::GraphSim::matching(
        &sim,
        "contoso",
        dataverse_sim::GraphConfig::default(),
    ));

    let (stop_tx, _) = tokio::sync::broadcast::channel::<()>(1);
    let mut tasks = Vec::new();
    for (addr, tls) in [(args.http, false), (args.https, true)] {
        let Some(addr) = addr else { continue };
        let listener = match tokio::net::TcpListener::bind(&addr).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("dataverse-sim: cannot listen on {addr}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let local = listener.local_addr().map(|a| a.to_string()).unwrap_or(addr);
        println!("{}://{local}/", if tls { "https" } else { "http" });
        let mut stop = stop_tx.subscribe();
        let sim = sim.clone();
        tasks.push(tokio::spawn(async move {
            dataverse_sim::serve(listener, sim, tls, async move {
                let _ = stop.recv().await;
            })
            .await
        }));
    }
    if tasks.is_empty() {
        eprintln!("dataverse-sim: nothing to serve (both --http off and no --https)\n{USAGE}");
        return ExitCode::from(2);
    }
    let _ = tokio::signal::ctrl_c().await;
    let _ = stop_tx.send(());
    for t in tasks {
        if let Ok(Err(e)) = t.await {
            eprintln!("dataverse-sim: {e}");
        }
    }
    ExitCode::SUCCESS
}

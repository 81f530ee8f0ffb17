//! The health view (issue 17): after go-live, whether mailboxes keep synchronising. Three plots drawn
//! as inline SVG from integers (`state::health`), each with the CSV of the numbers behind it. No
//! `style` attributes (the extension CSP forbids inline styles): geometry is SVG attributes, colours
//! are CSS classes in `public/syncready.css`.

use super::handlers::{Download, Downloads, on_click};
use crate::state::health::{
    self as hs, HealthModel, PLOT_HEIGHT, PLOT_WIDTH, THRESHOLDS, TOP_BAR_X, TOP_ROW, columns, short_name,
    stacks, top_bars,
};
use leptos::prelude::*;
use std::sync::Arc;
use syncready_core::collect::Snapshot;
use syncready_core::health::{self, iso_date};
use syncready_core::model::Timestamp;

/// Hands the CSV to the page's [`Downloads`], when there is one (called while rendering, where the
/// context is in reach).
fn download(name: &'static str, csv: String) -> Callback<()> {
    let downloads = use_context::<Downloads>();
    Callback::new(move |()| {
        if let Some(Downloads(offer)) = downloads {
            offer.run(Download { name: name.to_owned(), mime: "text/csv", text: csv.clone() });
        }
    })
}

/// The health view for `snapshot` read at `now`.
#[component]
pub fn HealthView(
    /// What was read.
    snapshot: Arc<Snapshot>,
    /// When it was read.
    now: Timestamp,
    /// The saved "delayed after" threshold (seconds) the checklist was evaluated with.
    #[prop(default = health::DEFAULT_DELAYED_AFTER_SECS)]
    threshold_secs: i64,
    /// Called with a newly chosen threshold (the page saves it and reads the checklist again).
    #[prop(optional)]
    on_threshold: Option<Callback<i64>>,
) -> impl IntoView {
    let threshold = RwSignal::new(threshold_secs);
    let options = THRESHOLDS
        .iter()
        .map(|(secs, label)| {
            let secs = *secs;
            view! { <option value=secs.to_string() selected=move || threshold.get() == secs>{*label}</option> }
                .into_any()
        })
        .collect_view();
    let body = move || {
        match hs::model(&snapshot, now, threshold.get()) {
        None => view! { <p class="sr-muted" data-testid="health-unavailable">"The monitoring columns could not be read."</p> }
            .into_any(),
        Some(m) => plots(m).into_any(),
    }
    };
    view! {
        <section class="sr-health" data-testid="health" aria-labelledby="sr-health-title">
            <h2 class="sr-section-title" id="sr-health-title">"Synchronization health"</h2>
            <label class="sr-health__threshold">
                "Delayed after "
                <select
                    class="sr-input"
                    data-testid="health-threshold"
                    on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<i64>() {
                            threshold.set(v);
                            if let Some(cb) = on_threshold {
                                cb.run(v);
                            }
                        }
                    }
                >
                    {options}
                </select>
            </label>
            {body}
        </section>
    }
}

fn plots(m: HealthModel) -> impl IntoView {
    let states = m
        .states
        .iter()
        .map(|(s, n)| {
            view! {
                <li class=format!("sr-health__state sr-health__state--{}", s.key()) data-testid=format!("health-{}", s.key())>
                    {format!("{n} {}", s.label())}
                </li>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <p class="sr-muted" data-testid="health-live" data-live=m.live>
            {format!("{} live mailboxes", m.live)}
        </p>
        <ul class="sr-legend sr-health__states">{states}</ul>
        {histogram(&m)}
        {timeline(&m)}
        {top(&m)}
        {errors(&m)}
    }
}

fn figure(
    title: &'static str,
    testid: &'static str,
    csv_name: &'static str,
    csv: String,
    svg: AnyView,
) -> AnyView {
    view! {
        <figure class="sr-health__plot" data-testid=testid>
            <figcaption class="sr-health__caption">
                <strong>{title}</strong>
                " "
                <button
                    class="sr-button sr-button--small"
                    data-testid=format!("{testid}-csv")
                    aria-label=format!("Export the data of “{title}” as CSV")
                    on:click=on_click(download(csv_name, csv))
                >
                    "CSV"
                </button>
            </figcaption>
            {svg}
        </figure>
    }
    .into_any()
}

fn histogram(m: &HealthModel) -> AnyView {
    let values: Vec<usize> = m.histogram.iter().map(|b| b.mailboxes).collect();
    let bars = columns(&values)
        .into_iter()
        .zip(&m.histogram)
        .map(|(r, b)| {
            let never = b.from_secs.is_none();
            let class = if never { "sr-health__bar sr-health__bar--never" } else { "sr-health__bar" };
            let mid = r.x + r.w / 2;
            view! {
                <g data-testid="health-bucket" data-value=b.mailboxes>
                    <rect class=class x=r.x y=r.y width=r.w height=r.h><title>{format!("{}: {}", b.label, b.mailboxes)}</title></rect>
                    <text class="sr-health__label" x=mid y=PLOT_HEIGHT + 12 text-anchor="middle">{b.label}</text>
                    <text class="sr-health__value" x=mid y=r.y.saturating_sub(2).max(8) text-anchor="middle">{b.mailboxes.to_string()}</text>
                </g>
            }
            .into_any()
        })
        .collect_view();
    let svg = view! {
        <svg class="sr-health__svg" viewBox=format!("0 0 {PLOT_WIDTH} {}", PLOT_HEIGHT + 16) width="100%" role="img" aria-label="Time since the last successful synchronization">
            {bars}
        </svg>
    }
    .into_any();
    figure(
        "Time since last successful sync",
        "health-histogram",
        "syncready-sync-age.csv",
        health::histogram_csv(&m.histogram),
        svg,
    )
}

fn timeline(m: &HealthModel) -> AnyView {
    let t = &m.timeline;
    let rects = stacks(t)
        .into_iter()
        .enumerate()
        .flat_map(|(d, parts)| {
            let day = t.days.get(d).map(|d| iso_date(*d)).unwrap_or_default();
            parts.into_iter().map(move |(c, r)| {
                let class = format!("sr-health__cause sr-health__cause--{}", c % 6);
                let tip = day.clone();
                view! { <rect class=class x=r.x y=r.y width=r.w height=r.h><title>{tip}</title></rect> }
                    .into_any()
            })
        })
        .collect_view();
    let legend = t
        .causes
        .iter()
        .enumerate()
        .map(|(c, cause)| {
            view! {
                <li>
                    <span class=format!("sr-swatch sr-health__cause--{}", c % 6)></span>
                    {cause.clone()}
                </li>
            }
            .into_any()
        })
        .collect_view();
    let total: usize = (0..t.days.len()).map(|d| t.day_total(d)).sum();
    let first = t.days.first().map(|d| iso_date(*d)).unwrap_or_default();
    let last = t.days.last().map(|d| iso_date(*d)).unwrap_or_default();
    let svg = view! {
        <svg class="sr-health__svg" viewBox=format!("0 0 {PLOT_WIDTH} {}", PLOT_HEIGHT + 16) width="100%" role="img" aria-label="Alerts per day, last 30 days" data-total=total>
            <line class="sr-health__axis" x1="0" y1=PLOT_HEIGHT x2=PLOT_WIDTH y2=PLOT_HEIGHT />
            {rects}
            <text class="sr-health__label" x="0" y=PLOT_HEIGHT + 12>{first}</text>
            <text class="sr-health__label" x=PLOT_WIDTH y=PLOT_HEIGHT + 12 text-anchor="end">{last}</text>
        </svg>
        <ul class="sr-legend">{legend}</ul>
    }
    .into_any();
    figure(
        "Alerts per day (30 days) by cause",
        "health-timeline",
        "syncready-alerts-per-day.csv",
        health::timeline_csv(t),
        svg,
    )
}

fn top(m: &HealthModel) -> AnyView {
    let rows = top_bars(&m.top)
        .into_iter()
        .zip(&m.top)
        .map(|(r, f)| {
            let y = r.y + r.h - 2;
            view! {
                <g data-testid="health-top-row" data-value=f.items>
                    <text class="sr-health__label" x="0" y=y>{short_name(&f.name)}</text>
                    <rect class="sr-health__bar sr-health__bar--failed" x=r.x y=r.y width=r.w height=r.h />
                    <text class="sr-health__value" x=r.x + r.w + 4 y=y>{f.items.to_string()}</text>
                </g>
            }
            .into_any()
        })
        .collect_view();
    let height = u32::try_from(m.top.len()).unwrap_or(0).max(1) * TOP_ROW;
    let empty = m.top.is_empty().then(|| {
        view! { <text class="sr-health__label" x=TOP_BAR_X y="12" text-anchor="middle">"No failed items"</text> }
    });
    let svg = view! {
        <svg class="sr-health__svg" viewBox=format!("0 0 {PLOT_WIDTH} {height}") width="100%" role="img" aria-label="Mailboxes with the most failed items">
            {rows}
            {empty}
        </svg>
    }
    .into_any();
    figure(
        "Top mailboxes by failed items",
        "health-top",
        "syncready-failed-items.csv",
        health::top_failed_csv(&m.top),
        svg,
    )
}

fn errors(m: &HealthModel) -> AnyView {
    if m.errors.is_empty() {
        return ().into_any();
    }
    let rows = m
        .errors
        .iter()
        .map(|g| {
            let link = g.doc_link.clone().map(|href| {
                view! { <a class="sr-link" href=href target="_blank" rel="noopener noreferrer">"Microsoft's explanation"</a> }
            });
            view! {
                <li data-testid="health-error">
                    {format!("{} items, {} mailboxes: {} ", g.items, g.mailboxes, g.error)}
                    {link}
                </li>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <h3 class="sr-health__subtitle">"Item failures by error"</h3>
        <ul class="sr-failures" data-testid="health-errors">{rows}</ul>
    }
    .into_any()
}

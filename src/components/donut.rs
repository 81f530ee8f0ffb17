//! A small SVG donut with a legend. The numbers come from `state::charts`.

use crate::state::charts::{Slice, segments};
use leptos::prelude::*;

/// Donut chart.
#[component]
pub fn Donut(
    /// Chart title (also the accessible name).
    title: &'static str,
    /// Slices in drawing order.
    slices: Vec<Slice>,
) -> impl IntoView {
    let total: usize = slices.iter().map(|s| s.value).sum();
    let arcs = segments(&slices)
        .into_iter()
        .zip(&slices)
        .filter(|((dash, _), _)| *dash > 0)
        .map(|((dash, offset), s)| {
            view! {
                <circle
                    class=format!("sr-donut__arc sr-donut__arc--{}", s.key)
                    cx="21" cy="21" r="15.9155" fill="none" stroke-width="6" pathLength="1000"
                    stroke-dasharray=format!("{dash} {}", 1000 - dash)
                    stroke-dashoffset=format!("{}", 250 + 1000 - offset)
                />
            }
            .into_any()
        })
        .collect_view();
    let legend = slices
        .iter()
        .map(|s| {
            view! {
                <li data-testid=format!("chart-{}", s.key)>
                    <span class=format!("sr-swatch sr-donut__arc--{}", s.key)></span>
                    {format!("{} {}", s.value, s.label)}
                </li>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <figure class="sr-donut" data-testid="chart" data-total=total>
            <svg viewBox="0 0 42 42" width="96" height="96" role="img" aria-label=title>
                <circle class="sr-donut__track" cx="21" cy="21" r="15.9155" fill="none" stroke-width="6" />
                {arcs}
                <text x="21" y="23" text-anchor="middle" class="sr-donut__total">{total.to_string()}</text>
            </svg>
            <figcaption>
                <strong>{title}</strong>
                <ul class="sr-legend">{legend}</ul>
            </figcaption>
        </figure>
    }
}

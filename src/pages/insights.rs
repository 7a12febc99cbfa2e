//! `/insights` (staff): what patients said and how long they waited, for a
//! chosen period. Charts are drawn here as SVG, each with its data table.

use super::staff_gate::{is_signed_out, sign_out, Desk, StaffGate};
use crate::api::provide_in_flight;
use crate::components::{error_text, PageHeading, WithSite};
use crate::i18n::*;
use crate::time::{clock_time, local_date, parse_time};
use leptos::{ev, prelude::*};
use waitwell_core::contract::{
    AccessAction, Comment, Insights, PeriodPoint, ThanksCount, ThemeCount,
};

/// Local `YYYY-MM-DD`, `days_back` days before today.
fn local_day(days_back: u32) -> String {
    local_date(js_sys::Date::now() - f64::from(days_back) * 86_400_000.0)
}

fn percent(share: Option<f64>) -> String {
    share
        .filter(|s| s.is_finite())
        .map(|s| format!("{:.0}%", s * 100.0))
        .unwrap_or_else(|| "—".into())
}

fn or_dash<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_else(|| "—".into())
}

#[component]
pub fn InsightsPage() -> impl IntoView {
    let i18n = use_i18n();
    provide_in_flight();
    crate::app::ScreenChrome::claim(crate::app::Chrome::Staff);
    view! {
        <section class="surface insights" data-surface="insights">
            <WithSite
                title=Signal::derive(move || t_string!(i18n, surface.insights.title).to_string())
                ready=|adapter, site| {
                    view! { <StaffGate adapter=adapter site=site signed_in=|| view! { <Report /> } /> }
                        .into_any()
                }
            />
        </section>
    }
}

#[component]
fn Report() -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let from = RwSignal::new(local_day(6));
    let to = RwSignal::new(local_day(0));
    let search = RwSignal::new(String::new());
    // The period and search last asked for: the figures follow it.
    let asked = RwSignal::new((from.get_untracked(), to.get_untracked(), String::new()));
    let figures = LocalResource::new(move || {
        let adapter = desk.adapter.get_value();
        let (f, t, q) = asked.get();
        async move { adapter.insights(&f, &t, &q).await }
    });
    Effect::new(move |_| {
        if figures.with(|r| matches!(r, Some(Err(e)) if is_signed_out(e))) {
            desk.session_ended();
        }
    });
    let loading = RwSignal::new(false);
    let load = move || {
        asked.set((
            from.get_untracked(),
            to.get_untracked(),
            search.get_untracked(),
        ))
    };
    let csv = move || {
        desk.adapter
            .with_value(|a| a.insights_csv_url(&from.get(), &to.get()))
            .unwrap_or_default()
    };
    view! {
        <div class="desk-top">
            <PageHeading>{t!(i18n, surface.insights.title)}</PageHeading>
            <button type="button" on:click=move |_| sign_out(desk)>
                {t!(i18n, reception.sign_out)}
            </button>
        </div>
        <form
            class="period"
            on:submit=move |ev: ev::SubmitEvent| {
                ev.prevent_default();
                load();
            }
        >
            <label class="field" for="from">{t!(i18n, insights.from)}</label>
            <input id="from" type="date" prop:value=move || from.get() on:change=move |ev| from.set(event_target_value(&ev)) />
            <label class="field" for="to">{t!(i18n, insights.to)}</label>
            <input id="to" type="date" prop:value=move || to.get() on:change=move |ev| to.set(event_target_value(&ev)) />
            <label class="field" for="search">{t!(i18n, insights.search)}</label>
            <input id="search" type="search" prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev)) />
            <button type="submit" class="primary">{t!(i18n, insights.show)}</button>
            <a class="button" href=csv download="responses.csv">{t!(i18n, insights.csv)}</a>
        </form>
        <p role="status" class="busy">
            {move || loading.get().then(|| t_string!(i18n, check_in.working).to_string())}
        </p>
        <Transition fallback=|| () set_pending=loading.write_only()>
            {move || {
                figures
                    .get()
                    .map(|result| match result {
                        Err(e) => view! { <p class="request-error">{move || error_text(i18n, &e)}</p> }.into_any(),
                        Ok(figures) => view! { <Figures figures=figures /> }.into_any(),
                    })
            }}
        </Transition>
        <Show when=move || desk.is_manager()>
            <AccessLogPanel asked=asked />
        </Show>
    }
}

/// An access log action in the reader's language.
fn action_text(i18n: leptos_i18n::I18nContext<Locale>, action: AccessAction) -> String {
    use AccessAction as A;
    match action {
        A::SignedIn => t_string!(i18n, insights.access.signed_in),
        A::SignedOut => t_string!(i18n, insights.access.signed_out),
        A::UnlockedByPin => t_string!(i18n, insights.access.unlocked_by_pin),
        A::PinLockout => t_string!(i18n, insights.access.pin_lockout),
        A::PinSet => t_string!(i18n, insights.access.pin_set),
        A::PassphraseChanged => t_string!(i18n, insights.access.passphrase_changed),
        A::DeskEnrolled => t_string!(i18n, insights.access.desk_enrolled),
        A::QueueAction => t_string!(i18n, insights.access.queue_action),
        A::WalkInAdded => t_string!(i18n, insights.access.walk_in_added),
        A::ScheduleImported => t_string!(i18n, insights.access.schedule_imported),
        A::DeviceApproved => t_string!(i18n, insights.access.device_approved),
        A::DeviceRevoked => t_string!(i18n, insights.access.device_revoked),
        A::ParkedDecision => t_string!(i18n, insights.access.parked_decision),
        A::NoticePosted => t_string!(i18n, insights.access.notice_posted),
        A::NoticeCleared => t_string!(i18n, insights.access.notice_cleared),
        A::FollowEnded => t_string!(i18n, insights.access.follow_ended),
        A::AlertAcknowledged => t_string!(i18n, insights.access.alert_acknowledged),
        A::InsightsViewed => t_string!(i18n, insights.access.insights_viewed),
        A::InsightsExported => t_string!(i18n, insights.access.insights_exported),
        A::AccessLogViewed => t_string!(i18n, insights.access.access_log_viewed),
        A::AccountAdded => t_string!(i18n, insights.access.account_added),
        A::AccountReset => t_string!(i18n, insights.access.account_reset),
        A::AccountDisabled => t_string!(i18n, insights.access.account_disabled),
        A::AccountEnabled => t_string!(i18n, insights.access.account_enabled),
        A::Unknown => t_string!(i18n, insights.access.unknown),
    }
    .to_string()
}

/// The access log for the period shown (managers only): who signed in,
/// who looked at or changed what.
#[component]
fn AccessLogPanel(asked: RwSignal<(String, String, String)>) -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let log = LocalResource::new(move || {
        let adapter = desk.adapter.get_value();
        let (f, t, _) = asked.get();
        async move { adapter.access_log(&f, &t).await }
    });
    let rows = move || {
        log.get().map(|result| match result {
            Err(e) => view! { <p class="request-error">{move || error_text(i18n, &e)}</p> }.into_any(),
            Ok(log) if log.entries.is_empty() => {
                view! { <p>{t!(i18n, insights.access_none)}</p> }.into_any()
            }
            Ok(log) => view! {
                <table class="desk-table access-log">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, insights.access_when)}</th>
                            <th scope="col">{t!(i18n, insights.access_who)}</th>
                            <th scope="col">{t!(i18n, insights.access_what)}</th>
                            <th scope="col">{t!(i18n, insights.access_detail)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {log
                            .entries
                            .into_iter()
                            .map(|entry| {
                                let when = entry.at.get(..16).unwrap_or(&entry.at).replace('T', " ");
                                let action = entry.action;
                                view! {
                                    <tr data-action=serde_json::to_string(&action).unwrap_or_default().trim_matches('"').to_owned()>
                                        <td>{when}</td>
                                        <td>{entry.name}</td>
                                        <td>{move || action_text(i18n, action)}</td>
                                        <td>{entry.detail}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            }
            .into_any(),
        })
    };
    view! {
        <section class="panel access" aria-labelledby="access-title">
            <h2 id="access-title">{t!(i18n, insights.access_log)}</h2>
            <Transition fallback=|| ()>{rows}</Transition>
        </section>
    }
}

#[component]
fn Figures(figures: Insights) -> impl IntoView {
    let i18n = use_i18n();
    let Insights {
        responses,
        happy_index,
        nps,
        better,
        went_well,
        comments,
        thanks,
        alerts_raised,
        alerts_acknowledged,
        median_ack_minutes,
        average_wait_minutes,
        p90_wait_minutes,
        left_without_being_seen,
        daily,
        by_hour,
        ..
    } = figures;
    let minutes = move |m: Option<u32>| match m {
        Some(m) => t_string!(i18n, reception.minutes, minutes = m).to_string(),
        None => "—".to_owned(),
    };
    let tile = move |label: String, value: String, key: &'static str| {
        view! {
            <div>
                <dt>{label}</dt>
                <dd data-figure=key>{value}</dd>
            </div>
        }
    };
    view! {
        <dl class="counters figures">
            {move || tile(t_string!(i18n, insights.responses).to_string(), responses.to_string(), "responses")}
            {move || tile(t_string!(i18n, insights.happy_index).to_string(), percent(happy_index), "happy-index")}
            {move || tile(t_string!(i18n, insights.nps).to_string(), or_dash(nps), "nps")}
            {move || tile(t_string!(i18n, insights.alerts).to_string(), format!("{alerts_acknowledged} / {alerts_raised}"), "alerts")}
            {move || tile(t_string!(i18n, insights.median_ack).to_string(), minutes(median_ack_minutes), "ack")}
            {move || tile(t_string!(i18n, insights.average_wait).to_string(), minutes(average_wait_minutes), "average-wait")}
            {move || tile(t_string!(i18n, insights.p90_wait).to_string(), minutes(p90_wait_minutes), "p90-wait")}
            {move || tile(t_string!(i18n, reception.left_unseen).to_string(), left_without_being_seen.to_string(), "left")}
        </dl>
        <div class="insight-grid">
            <Chart
                id="daily"
                title=Signal::derive(move || t_string!(i18n, insights.daily).to_string())
                points=daily
            />
            <Chart
                id="hourly"
                title=Signal::derive(move || t_string!(i18n, insights.by_hour).to_string())
                points=by_hour
            />
            <ThemeList id="better" title=Signal::derive(move || t_string!(i18n, survey.better_title).to_string()) themes=better />
            <ThemeList id="went-well" title=Signal::derive(move || t_string!(i18n, survey.went_well_title).to_string()) themes=went_well />
            <ThanksList thanks=thanks />
        </div>
        <Comments comments=comments />
    }
}

/// Staff thanked, most first.
/// A titled section of the page: its list, or "None" when there is none.
#[component]
fn ListPanel(
    id: &'static str,
    #[prop(into)] title: Signal<String>,
    #[prop(default = "panel")] class: &'static str,
    empty: bool,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let heading = format!("{id}-title");
    let labelled = heading.clone();
    view! {
        <section class=class aria-labelledby=labelled>
            <h2 id=heading>{title}</h2>
            {if empty {
                view! { <p class="empty">{t!(i18n, insights.none)}</p> }.into_any()
            } else {
                children().into_any()
            }}
        </section>
    }
}

#[component]
fn ThanksList(thanks: Vec<ThanksCount>) -> impl IntoView {
    let i18n = use_i18n();
    let title = Signal::derive(move || t_string!(i18n, insights.thanks).to_string());
    view! {
        <ListPanel id="thanks" title=title empty=thanks.is_empty()>
            <ul class="ranked">
                {thanks
                    .into_iter()
                    .map(|t| view! { <li><span>{t.staff}</span> <strong>{t.count}</strong></li> })
                    .collect_view()}
            </ul>
        </ListPanel>
    }
}

/// The period's comments, newest first, each with its day and rating.
#[component]
fn Comments(comments: Vec<Comment>) -> impl IntoView {
    let i18n = use_i18n();
    let title = Signal::derive(move || t_string!(i18n, insights.comments).to_string());
    let empty = comments.is_empty();
    view! {
        <ListPanel id="comments" class="comments" title=title empty=empty>
            <ul>
                {comments
                    .into_iter()
                    .map(|c| {
                        let day = parse_time(&c.at)
                            .map(|ms| format!("{} {}", local_date(ms), clock_time(ms)))
                            .unwrap_or_default();
                        let rating = c.rating;
                        view! {
                            <li class="comment">
                                <p class="comment-meta">
                                    {day} " · "
                                    {move || t_string!(i18n, insights.rated, rating = rating).to_string()}
                                </p>
                                <p class="comment-text">{c.text}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </ListPanel>
    }
}

#[component]
fn ThemeList(id: &'static str, title: Signal<String>, themes: Vec<ThemeCount>) -> impl IntoView {
    let i18n = use_i18n();
    let most = themes.iter().map(|t| t.count).max().unwrap_or(0).max(1);
    let empty = themes.is_empty();
    view! {
        <ListPanel id=id title=title empty=empty>
            <ul class="ranked">
                {themes
                    .into_iter()
                    .map(|t| {
                        let width = format!("{}%", (f64::from(t.count) / f64::from(most) * 100.0).round());
                        view! {
                            <li>
                                <span>{move || crate::components::theme_text(i18n, t.theme)}</span>
                                <strong>{t.count}</strong>
                                <span class="bar" aria-hidden="true" style:inline-size=width></span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </ListPanel>
    }
}

/// Bars of responses per period, with the happy index written above each;
/// the same figures follow in a table for screen readers and for reading.
#[component]
fn Chart(id: &'static str, title: Signal<String>, points: Vec<PeriodPoint>) -> impl IntoView {
    let i18n = use_i18n();
    const WIDTH: f64 = 600.0;
    const HEIGHT: f64 = 200.0;
    const BASE: f64 = 180.0;
    let most = points.iter().map(|p| p.responses).max().unwrap_or(0).max(1);
    let slot = WIDTH / points.len().max(1) as f64;
    let bars = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let height = f64::from(p.responses) / f64::from(most) * 150.0;
            let x = i as f64 * slot + slot * 0.15;
            let label = p.label.clone();
            let short = label.rsplit('-').next().unwrap_or_default().to_owned();
            view! {
                <g>
                    <rect class="chart-bar" x=x y=BASE - height width=slot * 0.7 height=height />
                    <text class="chart-label" x=x + slot * 0.35 y=HEIGHT - 4.0 text-anchor="middle">
                        {short}
                    </text>
                    <text class="chart-value" x=x + slot * 0.35 y=BASE - height - 4.0 text-anchor="middle">
                        {p.responses}
                    </text>
                </g>
            }
        })
        .collect_view();
    let heading = format!("{id}-title");
    let labelled = heading.clone();
    let svg_label = heading.clone();
    let rows = points
        .into_iter()
        .map(|p| {
            view! {
                <tr>
                    <th scope="row">{p.label}</th>
                    <td>{p.responses}</td>
                    <td>{percent(p.happy_index)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel chart" aria-labelledby=labelled>
            <h2 id=heading>{title}</h2>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby=svg_label class="chart-svg">
                <line class="chart-axis" x1="0" y1=BASE x2=WIDTH y2=BASE />
                {bars}
            </svg>
            <table class="chart-data">
                <caption>{title}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, insights.period)}</th>
                        <th scope="col">{t!(i18n, insights.responses)}</th>
                        <th scope="col">{t!(i18n, insights.happy_index)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}

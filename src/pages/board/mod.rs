//! `/board`: the public queue on a wall screen. Ticket codes, rooms and
//! wait ranges only; live, and honest about it when the connection drops.
//!
//! A wall screen is read from the seats, never touched: it has the whole
//! screen (no app bar), every size comes from the screen's own size
//! ([`waitwell_core::wall::fit`]) so that nothing ever scrolls, what does not
//! fit is counted ("and 23 more"), and its labels take turns in the clinic's
//! languages.

use crate::api::live::{follow_queue, Connection, LiveQueue};
use crate::api::use_adapter;
use crate::app::{Chrome, ScreenChrome};
use crate::components::{error_text, PageHeading};
use crate::i18n::*;
use crate::time::{clock_time, parse_time};
use leptos::prelude::*;
use leptos_i18n::{I18nContext, Locale as _};
use leptos_use::use_interval_fn;
use waitwell_core::board::one_list;
use waitwell_core::contract::{BoardLayout, DelayNotice, PublicLine, PublicQueue};
use waitwell_core::queue::LineId;
use waitwell_core::wait::past_promise;
use waitwell_core::wall::{fit, Content, Fit};

mod calls;

use calls::{announce_calls, FreshCalls, SiteSignal};

/// How long the board's labels stay in one language before the next.
const LANGUAGE_MILLIS: u64 = 8_000;

/// The language the board's labels are in right now.
#[derive(Clone, Copy)]
struct BoardLanguage(Signal<Locale>);

impl BoardLanguage {
    fn get(self) -> Locale {
        self.0.get()
    }
}

/// How often the board looks again at which waits ran past their promise.
const CLOCK_MILLIS: u64 = 15_000;

/// The time on the board's clock (Unix seconds), a tick every
/// [`CLOCK_MILLIS`]: a wait runs past its promise without the queue
/// changing.
#[derive(Clone, Copy)]
struct BoardClock(RwSignal<i64>);

impl BoardClock {
    fn start() -> Self {
        let unix_now = || (crate::time::now_ms() / 1000.0) as i64;
        let now = RwSignal::new(unix_now());
        let _ = use_interval_fn(move || now.set(unix_now()), CLOCK_MILLIS);
        BoardClock(now)
    }
}

/// Takes turns through the clinic's languages, starting with this device's.
fn cycle_languages(site: SiteSignal, i18n: I18nContext<Locale>) -> BoardLanguage {
    let turn = RwSignal::new(0_usize);
    let _ = use_interval_fn(
        move || turn.update(|t| *t = t.wrapping_add(1)),
        LANGUAGE_MILLIS,
    );
    BoardLanguage(Signal::derive(move || {
        let own = i18n.get_locale();
        let mut languages: Vec<Locale> = site.with(|s| match s {
            Some(Ok(site)) => site
                .languages
                .iter()
                .filter_map(|tag| tag.parse::<Locale>().ok())
                .collect(),
            _ => Vec::new(),
        });
        languages.dedup();
        // Start from this device's own language where the clinic has it.
        let first = languages.iter().position(|l| *l == own);
        match (first, languages.len()) {
            (_, 0) => own,
            (Some(first), n) => languages[(first + turn.get()) % n],
            (None, n) => languages[turn.get() % n],
        }
    }))
}

/// Line and room names in the board's language (the site's translations,
/// else the names as configured).
#[derive(Clone, Copy)]
struct Names {
    site: SiteSignal,
    language: BoardLanguage,
}

impl Names {
    fn line(self, id: LineId, default: &str) -> String {
        let language = self.language.get();
        self.site
            .with(|s| match s {
                Some(Ok(site)) => site.line_name(id, language.as_str()).map(str::to_owned),
                _ => None,
            })
            .unwrap_or_else(|| default.to_owned())
    }

    fn room(self, room: &str) -> String {
        let language = self.language.get();
        self.site.with(|s| match s {
            Some(Ok(site)) => site.room_name(room, language.as_str()).to_owned(),
            _ => room.to_owned(),
        })
    }
}

/// The screen's size, kept up to date.
fn screen_size() -> ReadSignal<(f64, f64)> {
    let measure = || {
        web_sys::window()
            .map(|w| {
                let px = |v: Result<wasm_bindgen::JsValue, _>| {
                    v.ok().and_then(|v| v.as_f64()).unwrap_or(0.0)
                };
                (px(w.inner_width()), px(w.inner_height()))
            })
            .unwrap_or((1280.0, 800.0))
    };
    let size = RwSignal::new(measure());
    let listener = window_event_listener(leptos::ev::resize, move |_| {
        let _ = size.try_set(measure());
    });
    on_cleanup(move || listener.remove());
    size.read_only()
}

#[component]
pub fn BoardPage() -> impl IntoView {
    let i18n = use_i18n();
    crate::api::provide_in_flight();
    ScreenChrome::claim(Chrome::Wall);
    let adapter = use_adapter();
    let site = crate::api::site::use_site_config();
    let language = cycle_languages(site, i18n);
    provide_context(language);
    provide_context(BoardClock::start());
    // Its title kept as the screen to paint before the wasm runs next time
    // (a wall screen that restarts shows its frame at once); never a ticket.
    Effect::new(move |_| {
        crate::first_screen::keep_later(
            "[data-surface=\"board\"]",
            crate::first_screen::Part::Only(".wall-title"),
        );
    });
    view! {
        <section class="surface board wall" data-surface="board" lang=move || language.get().as_str()>
            <div class="wall-title">
                <PageHeading>{move || td_string!(language.get(), surface.board.title).to_string()}</PageHeading>
            </div>
            {move || match adapter.get() {
                Some(Ok(adapter)) => view! { <LiveBoard live=follow_queue(adapter) site=site /> }.into_any(),
                Some(Err(error)) => {
                    view! {
                        <p class="connection lost" role="status" data-connection="lost">
                            {move || error_text(i18n, &error)}
                        </p>
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <p class="connection" role="status" data-connection="connecting">
                            {t!(i18n, board.connecting)}
                        </p>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

/// What the board shows, as far as its layout goes.
fn content_of(queue: Option<&PublicQueue>, single: bool) -> Content {
    let Some(queue) = queue else {
        return Content {
            lines: 1,
            calling: 0,
            notices: 0,
            code_chars: 5,
            room_chars: 6,
        };
    };
    let calls = || queue.lines.iter().flat_map(|l| l.calling.iter());
    let codes = calls().map(|c| c.ticket.as_str()).chain(
        queue
            .lines
            .iter()
            .flat_map(|l| l.waiting.iter().map(|w| w.ticket.as_str())),
    );
    Content {
        lines: if single { 1 } else { queue.lines.len() },
        calling: if single {
            calls().count()
        } else {
            queue
                .lines
                .iter()
                .map(|l| l.calling.len())
                .max()
                .unwrap_or(0)
        },
        notices: queue.notices.len(),
        code_chars: codes.map(|c| c.chars().count()).max().unwrap_or(5),
        room_chars: calls().map(|c| c.room.chars().count()).max().unwrap_or(6),
    }
}

/// The board's sizes as CSS custom properties, set through the CSS object
/// model (the content security policy refuses `style` attributes).
fn apply_fit(element: &web_sys::HtmlElement, fit: &Fit) {
    let style = element.style();
    for (name, value) in fit_properties(fit) {
        let _ = style.set_property(&name, &value);
    }
}

/// The board's sizes as (custom property, value) pairs.
fn fit_properties(fit: &Fit) -> Vec<(String, String)> {
    let px = [
        ("panel-width", fit.panel_width),
        ("panel-height", fit.panel_height),
        ("panel-pad", fit.panel_pad),
        ("heading-row", fit.heading_row),
        ("heading-font", fit.heading_font),
        ("label-row", fit.label_row),
        ("label-font", fit.label_font),
        ("call-font", fit.call_font),
        ("room-font", fit.room_font),
        ("call-row", fit.call_row),
        ("call-gap", fit.call_gap),
        ("code-font", fit.code_font),
        ("wait-font", fit.wait_font),
        ("tile-width", fit.tile_width),
        ("tile-height", fit.tile_height),
        ("tile-gap", fit.tile_gap),
        ("more-row", fit.more_row),
        ("more-font", fit.more_font),
    ];
    let mut properties = vec![("--columns".to_owned(), fit.columns.to_string())];
    for (name, value) in px {
        // Rounded down: the blocks may add up a pixel short, never over.
        properties.push((
            format!("--{name}"),
            format!("{:.2}px", (value * 100.0).floor() / 100.0),
        ));
    }
    properties
}

#[component]
fn LiveBoard(live: LiveQueue, site: SiteSignal) -> impl IntoView {
    let fresh = announce_calls(live, site);
    provide_context(FreshCalls(fresh.read_only()));
    let language = expect_context::<BoardLanguage>();
    let names = Names { site, language };
    provide_context(names);
    let size = screen_size();
    let single = Memo::new(move |_| {
        site.with(|s| matches!(s, Some(Ok(s)) if s.board_layout == BoardLayout::Single))
    });
    let layout = Memo::new(move |_| {
        let (width, height) = size.get();
        let content = live.snapshot.with(|q| content_of(q.as_ref(), single.get()));
        fit(width, height, content)
    });
    let lost = move || matches!(live.connection.get(), Connection::Lost { .. });
    let lines = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(element) = lines.get() {
            layout.with(|fit| apply_fit(&element, fit));
        }
    });
    // Only what fits on screen is copied out of the snapshot (a busy day's
    // queue is hundreds of tickets, and this runs for each).
    let shown = Memo::new(move |_| {
        let fit = layout.get();
        live.snapshot.with(|queue| {
            let Some(queue) = queue.as_ref() else {
                return Vec::new();
            };
            if single.get() {
                one_list(queue.lines.clone(), String::new())
                    .map(|line| vec![on_screen(&line, &fit)])
                    .unwrap_or_default()
            } else {
                queue
                    .lines
                    .iter()
                    .map(|line| on_screen(line, &fit))
                    .collect()
            }
        })
    });
    let room_below = Memo::new(move |_| layout.with(|f| f.room_below));
    let line_ids = Memo::new(move |_| shown.with(|lines| unique(lines.iter().map(|l| l.line.id))));
    let on_board = OnBoard {
        shown,
        single,
        room_below,
        tiles: Memo::new(move |_| layout.with(Fit::waiting_shown)),
    };
    view! {
        <ConnectionStatus live=live />
        <Notices live=live shown=Signal::derive(move || layout.with(|f| f.notices_shown)) />
        // Stale while the connection is down: dimmed, and said in the corner.
        <div
            class="lines"
            class:stale=lost
            aria-busy=move || lost().to_string()
            node_ref=lines
            // Which version of the queue is on screen (for whoever checks
            // that the board has caught up).
            data-version=move || live.snapshot.with(|q| q.as_ref().map(|q| q.version))
        >
            // The panels are made again only when the lines change, a
            // line's calls when they change, and its tiles when the screen
            // has room for more or fewer: a new snapshot otherwise changes
            // the words on the tiles (a call moves each ticket up one place;
            // the waits change), instead of making every element on the
            // board again. Whatever leaves the screen is dropped with its
            // owner, so nothing grows over a long day.
            {move || {
                line_ids
                    .get()
                    .into_iter()
                    .map(|id| view! { <Line id=id on_board=on_board /> })
                    .collect_view()
            }}
        </div>
    }
}

/// Each item once, in its first place. Each panel finds its line by id,
/// and the server's answer is not trusted to hold each id once.
fn unique<T: PartialEq>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut seen = Vec::new();
    for item in items {
        if !seen.contains(&item) {
            seen.push(item);
        }
    }
    seen
}

/// What each line shows ([`on_screen`]), for the line panels to follow.
#[derive(Clone, Copy)]
struct OnBoard {
    shown: Memo<Vec<OnScreen>>,
    single: Memo<bool>,
    room_below: Memo<bool>,
    /// How many waiting tickets a panel has room for.
    tiles: Memo<usize>,
}

/// Says nothing while all is well; when the connection is down (or not
/// yet up), a small corner says so and when the board was last right. In
/// the device's own language: it is for staff, not for the room.
#[component]
fn ConnectionStatus(live: LiveQueue) -> impl IntoView {
    let i18n = use_i18n();
    let updated = move || {
        live.snapshot
            .with(|q| q.as_ref().and_then(|q| parse_time(&q.updated_at)))
            .or_else(|| live.fetched_at.get())
    };
    let status = move || match live.connection.get() {
        Connection::Connecting => t_string!(i18n, board.connecting).to_string(),
        Connection::Live => match updated() {
            Some(at) => t_string!(i18n, board.live_updated, time = clock_time(at)).to_string(),
            None => t_string!(i18n, board.live).to_string(),
        },
        Connection::Lost { .. } => match live.fetched_at.get() {
            Some(at) => t_string!(i18n, board.reconnecting, time = clock_time(at)).to_string(),
            None => t_string!(i18n, board.reconnecting_never).to_string(),
        },
    };
    let lost = move || matches!(live.connection.get(), Connection::Lost { .. });
    let live_now = move || matches!(live.connection.get(), Connection::Live);
    view! {
        <p
            class="connection"
            class:lost=lost
            class:visually-hidden=live_now
            role="status"
            lang=move || i18n.get_locale().as_str()
            data-connection=move || match live.connection.get() {
                Connection::Connecting => "connecting",
                Connection::Live => "live",
                Connection::Lost { .. } => "lost",
            }
        >
            {status}
        </p>
    }
}

/// The delay notices staff posted, in the board's language (as many as
/// the screen has room for; the rest wait their turn).
#[component]
fn Notices(live: LiveQueue, shown: Signal<usize>) -> impl IntoView {
    let language = expect_context::<BoardLanguage>();
    view! {
        <ul class="notices">
            {move || {
                live.snapshot
                    .with(|q| q.as_ref().map(|q| q.notices.clone()).unwrap_or_default())
                    .into_iter()
                    .take(shown.get())
                    .map(|DelayNotice { clinician, minutes, .. }| {
                        view! {
                            <li class="notice">
                                {move || td_string!(language.get(), board.delay, clinician = clinician.clone(), minutes = minutes).to_string()}
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
    }
}

/// A line as far as the board has room for it.
#[derive(Clone, PartialEq)]
struct OnScreen {
    /// The line with its latest calls and first waiting tickets only.
    line: PublicLine,
    /// How many waiting tickets are left out.
    more: usize,
}

/// What of `line` the board has room for (`fit`): its latest calls and
/// its first waiting tickets, with how many waiting tickets are left out.
fn on_screen(line: &PublicLine, fit: &Fit) -> OnScreen {
    // The latest calls are the ones people are looking for.
    let older = line.calling.len().saturating_sub(fit.calls_shown);
    let shown = fit.waiting_shown().min(line.waiting.len());
    OnScreen {
        line: PublicLine {
            id: line.id,
            name: line.name.clone(),
            calling: line.calling[older..].to_vec(),
            waiting: line.waiting[..shown].to_vec(),
        },
        more: line.waiting.len() - shown,
    }
}

/// One line's panel: its name, the latest calls, and the first waiting
/// tickets as tiles, with a count of the rest: what [`on_screen`] left of
/// the line `id`, following each snapshot.
#[component]
fn Line(id: LineId, on_board: OnBoard) -> impl IntoView {
    let language = expect_context::<BoardLanguage>();
    let names = use_context::<Names>();
    let OnBoard {
        shown,
        single,
        room_below,
        tiles,
    } = on_board;
    let part =
        Memo::new(move |_| shown.with(|lines| lines.iter().find(|l| l.line.id == id).cloned()));
    let calls = Memo::new(move |_| {
        part.with(|p| {
            p.as_ref()
                .map(|p| p.line.calling.clone())
                .unwrap_or_default()
        })
    });
    let waiting = Memo::new(move |_| part.with(|p| p.as_ref().map_or(0, |p| p.line.waiting.len())));
    let more = Memo::new(move |_| part.with(|p| p.as_ref().map_or(0, |p| p.more)));
    let has_calls = Memo::new(move |_| calls.with(|c| !c.is_empty()));
    let has_waiting = Memo::new(move |_| waiting.get() > 0 || more.get() > 0);
    let name = move || {
        if single.get() {
            td_string!(language.get(), board.all_lines).to_string()
        } else {
            let default =
                part.with(|p| p.as_ref().map(|p| p.line.name.clone()).unwrap_or_default());
            match names {
                Some(names) => names.line(id, &default),
                None => default,
            }
        }
    };
    let heading_id = format!("line-{id}");
    let calling_view = move || {
        if has_calls.get() {
            view! {
                <ul class="calling" class:room-below=move || room_below.get()>
                    {move || {
                        calls
                            .get()
                            .into_iter()
                            .map(|call| view! { <Call ticket=call.ticket room=call.room /> })
                            .collect_view()
                    }}
                </ul>
            }
            .into_any()
        } else {
            view! { <p class="empty">{move || td_string!(language.get(), board.nobody_called).to_string()}</p> }
                .into_any()
        }
    };
    let waiting_view = move || {
        if has_waiting.get() {
            view! {
                <ol class="waiting">
                    {move || (0..tiles.get()).map(|place| view! { <Tile place=place part=part /> }).collect_view()}
                </ol>
            }
            .into_any()
        } else {
            view! { <p class="empty">{move || td_string!(language.get(), board.nobody_waiting).to_string()}</p> }
                .into_any()
        }
    };
    let more_text = move || match (more.get(), waiting.get()) {
        (0, _) => String::new(),
        (more, 0) => td_string!(language.get(), board.waiting_count, count = more).to_string(),
        (more, _) => td_string!(language.get(), board.more, count = more).to_string(),
    };
    let labelled_by = heading_id.clone();
    view! {
        <section class="line" aria-labelledby=labelled_by>
            <h2 id=heading_id>{name}</h2>
            <h3>{move || td_string!(language.get(), board.now_calling).to_string()}</h3>
            {calling_view}
            <h3>{move || td_string!(language.get(), board.next).to_string()}</h3>
            {waiting_view}
            <p class="more" data-more=move || more.get()>{more_text}</p>
        </section>
    }
}

/// One call: its code, highlighted while fresh, and its room in the
/// board's language.
#[component]
fn Call(ticket: String, room: String) -> impl IntoView {
    let fresh = use_context::<FreshCalls>();
    let names = use_context::<Names>();
    let is_fresh = {
        let ticket = ticket.clone();
        move || fresh.is_some_and(|f| f.0.with(|f| f.contains(&ticket)))
    };
    view! {
        <li class="called" class:fresh=is_fresh>
            <span class="code">{ticket}</span>
            <span class="room">{move || names.map_or_else(|| room.clone(), |n| n.room(&room))}</span>
        </li>
    }
}

/// The tile at one place (0 first) of the line's waiting tickets on
/// screen (`part`): that ticket's code and wait, or nothing while fewer
/// tickets wait. A new snapshot changes the words of the tiles whose ticket
/// or wait changed, and adds or takes away only the tiles at the end.
#[component]
fn Tile(place: usize, part: Memo<Option<OnScreen>>) -> impl IntoView {
    let language = expect_context::<BoardLanguage>();
    let clock = expect_context::<BoardClock>();
    let ticket = Memo::new(move |_| {
        part.with(|p| {
            p.as_ref()
                .and_then(|p| p.line.waiting.get(place))
                .map(|w| (w.ticket.clone(), w.wait, w.promised_by))
        })
    });
    let there = Memo::new(move |_| ticket.with(Option::is_some));
    // Past the range given at check-in: said, not hidden behind a fresh
    // range.
    let late = move || {
        ticket.with(|t| {
            t.as_ref()
                .is_some_and(|(_, _, by)| past_promise(*by, clock.0.get()))
        })
    };
    let code = move || {
        ticket.with(|t| {
            t.as_ref()
                .map(|(code, ..)| code.clone())
                .unwrap_or_default()
        })
    };
    let wait = move || {
        let range = ticket.with(|t| {
            t.as_ref()
                .map(|(_, wait, _)| (wait.low_minutes, wait.high_minutes))
        });
        match range {
            Some(_) if late() => td_string!(language.get(), board.tile_late).to_string(),
            Some((low, high)) => {
                td_string!(language.get(), board.tile_wait, low = low, high = high).to_string()
            }
            None => String::new(),
        }
    };
    move || {
        there.get().then(|| {
            view! {
                <li class="tile" class:late=late>
                    <span class="code">{code}</span>
                    <span class="wait">{wait}</span>
                </li>
            }
        })
    }
}

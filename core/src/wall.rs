//! How the queue board fills a wall screen: every size worked out from the
//! screen's own size, so that ticket codes are readable from across the room
//! and nothing ever scrolls. What does not fit is counted instead ("and 23
//! more"), never pushed off the screen.
//!
//! Sizes are in CSS pixels. The board sets each block's height to the figure
//! given here, so the sum is exact rather than hoped for; widths of text are
//! estimated from the longest ticket code and room name (a bold sans-serif
//! character with tabular digits is at most [`CHAR_EM`] wide).

/// The widest a character of a code or room name is, in em.
pub const CHAR_EM: f64 = 0.7;
/// Waiting ticket codes: this share of the screen height (the goal is 6%
/// for reading at 5 m; a little more leaves room for rounding).
pub const CODE_SHARE: f64 = 0.065;
/// The codes being called: this much larger than the waiting ones.
pub const CALL_SCALE: f64 = 1.2;

/// What the board has to show, as far as its size goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Content {
    /// Lines shown (panels); at least one is laid out.
    pub lines: usize,
    /// The most tickets being called in any one line.
    pub calling: usize,
    /// Delay notices posted.
    pub notices: usize,
    /// The longest ticket code, in characters.
    pub code_chars: usize,
    /// The longest room name among the calls, in characters.
    pub room_chars: usize,
}

/// The board's geometry for one screen size and content.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// Panels across and down.
    pub columns: usize,
    pub rows: usize,
    /// Space around the board and between panels.
    pub pad: f64,
    pub gap: f64,
    /// The title bar: its height and font size.
    pub title_row: f64,
    pub title_font: f64,
    /// Delay notices: how many are shown, each row's height and font.
    pub notices_shown: usize,
    pub notice_row: f64,
    pub notice_font: f64,
    /// One panel (a line), and the space inside its border.
    pub panel_width: f64,
    pub panel_height: f64,
    pub panel_pad: f64,
    /// The line's name.
    pub heading_row: f64,
    pub heading_font: f64,
    /// "Now calling", "Next".
    pub label_row: f64,
    pub label_font: f64,
    /// Each call: code and room, side by side or the room below.
    pub call_font: f64,
    pub room_font: f64,
    pub room_below: bool,
    pub call_row: f64,
    /// The space below each call (part of `call_row`).
    pub call_gap: f64,
    /// How many calls each panel shows (the latest ones).
    pub calls_shown: usize,
    /// Each waiting ticket: a tile with the code and its wait range below.
    pub code_font: f64,
    pub wait_font: f64,
    pub tile_width: f64,
    pub tile_height: f64,
    pub tile_gap: f64,
    pub tiles_across: usize,
    pub tile_rows: usize,
    /// The "and N more" row.
    pub more_row: f64,
    pub more_font: f64,
}

impl Fit {
    /// How many waiting tickets each panel shows.
    pub fn waiting_shown(&self) -> usize {
        self.tiles_across * self.tile_rows
    }

    /// The panel's height as its blocks add up (never above `panel_height`).
    pub fn panel_content_height(&self) -> f64 {
        let tiles = if self.tile_rows == 0 {
            0.0
        } else {
            self.tile_rows as f64 * self.tile_height + (self.tile_rows - 1) as f64 * self.tile_gap
        };
        2.0 * self.panel_pad
            + self.heading_row
            + 2.0 * self.label_row
            + self.calls_shown.max(1) as f64 * self.call_row
            + tiles
            + self.more_row
    }

    /// The whole board's height as its blocks add up.
    pub fn board_height(&self) -> f64 {
        self.title_row
            + self.notices_shown as f64 * self.notice_row
            + self.rows as f64 * self.panel_height
            + (self.rows.saturating_sub(1)) as f64 * self.gap
            + self.pad
    }
}

/// Most notices the board gives room to (more are rare; the rest wait).
const MOST_NOTICES: usize = 2;

/// Lays the board out on a `width` × `height` screen.
pub fn fit(width: f64, height: f64, content: Content) -> Fit {
    // A screen too small to be a board still gets a layout that fits it.
    let width = if width.is_finite() {
        width.max(240.0)
    } else {
        1280.0
    };
    let height = if height.is_finite() {
        height.max(240.0)
    } else {
        800.0
    };
    // Codes are sized by the height (they are read from across the room);
    // the rest by the shorter side, so a portrait screen does not spend its
    // height on titles.
    let unit = width.min(height) / 100.0;
    let lines = content.lines.max(1);
    let code_chars = content.code_chars.clamp(3, 12) as f64;
    let room_chars = content.room_chars.clamp(1, 24) as f64;

    let pad = 1.5 * unit;
    let gap = 1.5 * unit;
    let title_font = 4.2 * unit;
    let title_row = 7.0 * unit;
    let notice_font = 3.0 * unit;
    let notice_row = 5.0 * unit;
    let notices_shown = content.notices.min(MOST_NOTICES);

    // Lines side by side on a landscape screen; stacked on a portrait one.
    let portrait = height > width * 1.1;
    let columns = if portrait {
        if lines <= 3 {
            1
        } else {
            2
        }
    } else {
        lines.min(4)
    };
    let rows = lines.div_ceil(columns);
    let panel_width = (width - 2.0 * pad - gap * (columns - 1) as f64) / columns as f64;
    let panel_height =
        ((height - title_row - notices_shown as f64 * notice_row - pad - gap * (rows - 1) as f64)
            / rows as f64)
            .max(0.0);
    let panel_pad = 1.2 * unit;
    let inner_width = (panel_width - 2.0 * panel_pad).max(1.0);

    let heading_font = 3.4 * unit;
    let heading_row = 4.4 * unit;
    let label_font = 2.2 * unit;
    let label_row = 3.2 * unit;
    let more_font = 2.6 * unit;
    let more_row = 3.6 * unit;

    // Calls: the code and the room on one row if they fit, else the room
    // below; the code itself never wider than the panel.
    let call_em = CHAR_EM * code_chars + 0.5;
    let call_font = (CALL_SCALE * CODE_SHARE * height).min(inner_width / call_em);
    // The room beside the code, in a smaller size if that is what it takes
    // (down to two thirds); below the code only when even that is too wide.
    let beside = inner_width - call_font * call_em - 2.0 * unit;
    let room_fits = |font: f64| font * CHAR_EM * room_chars <= beside;
    let largest = 0.45 * call_font;
    let room_font = if room_fits(largest) {
        largest
    } else {
        (beside / (CHAR_EM * room_chars)).max(0.3 * call_font)
    };
    let room_below = !room_fits(room_font);
    let room_font = if room_below { largest } else { room_font };
    let call_pad = 0.3 * unit;
    let call_gap = 0.4 * unit;
    let call_row = if room_below {
        call_font * 1.2 + room_font * 1.25 + 2.0 * call_pad
    } else {
        call_font * 1.2 + 2.0 * call_pad
    } + call_gap;

    // Waiting tiles: as many across as fit; the code never narrower than
    // the goal unless the panel itself is narrower than one tile.
    let tile_gap = 1.0 * unit;
    let tile_em = CHAR_EM * code_chars + 0.3;
    let code_font = (CODE_SHARE * height).min(inner_width / tile_em);
    let wait_font = (0.34 * code_font).max(2.2 * unit).min(code_font);
    let tile_width = code_font * tile_em;
    // Each line box as tall as the font's own glyph box (1.2 em), so the
    // whole code is inside its tile.
    let tile_height = code_font * 1.2 + wait_font * 1.2;
    let tiles_across =
        (((inner_width + tile_gap) / (tile_width + tile_gap)).floor() as usize).max(1);

    let room = panel_height - 2.0 * panel_pad - heading_row - 2.0 * label_row - more_row;
    // Calls first (they matter most), but not more than about half the room.
    let calls_fit = ((room * 0.5) / call_row).floor().max(1.0) as usize;
    let calls_shown = content.calling.clamp(1, calls_fit.max(1));
    let left = room - calls_shown as f64 * call_row;
    let tile_rows = if left < tile_height {
        0
    } else {
        ((left + tile_gap) / (tile_height + tile_gap)).floor() as usize
    };

    Fit {
        columns,
        rows,
        pad,
        gap,
        title_row,
        title_font,
        notices_shown,
        notice_row,
        notice_font,
        panel_width,
        panel_height,
        panel_pad,
        heading_row,
        heading_font,
        label_row,
        label_font,
        call_font,
        room_font,
        room_below,
        call_row,
        call_gap,
        calls_shown,
        code_font,
        wait_font,
        tile_width,
        tile_height,
        tile_gap,
        tiles_across,
        tile_rows,
        more_row,
        more_font,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn three_lines() -> Content {
        Content {
            lines: 3,
            calling: 2,
            notices: 1,
            code_chars: 5,
            // "Nurse room"
            room_chars: 10,
        }
    }

    #[test]
    fn codes_are_six_percent_of_the_height_on_common_screens() {
        for (w, h) in [(1920.0, 1080.0), (1366.0, 768.0), (1080.0, 1920.0)] {
            let fit = fit(w, h, three_lines());
            assert!(fit.code_font >= 0.06 * h, "{w}x{h}: {}", fit.code_font);
            assert!(fit.call_font > fit.code_font, "{w}x{h}");
            assert!(fit.waiting_shown() >= 2, "{w}x{h}: {fit:?}");
            assert!(fit.board_height() <= h + 0.01, "{w}x{h}");
        }
    }

    #[test]
    fn landscape_puts_lines_side_by_side_and_portrait_stacks_them() {
        let wide = fit(1920.0, 1080.0, three_lines());
        assert_eq!((wide.columns, wide.rows), (3, 1));
        let tall = fit(1080.0, 1920.0, three_lines());
        assert_eq!((tall.columns, tall.rows), (1, 3));
        let many = fit(
            1080.0,
            1920.0,
            Content {
                lines: 5,
                ..three_lines()
            },
        );
        assert_eq!((many.columns, many.rows), (2, 3));
    }

    #[test]
    fn one_list_uses_the_width_for_more_tiles() {
        let one = fit(
            1920.0,
            1080.0,
            Content {
                lines: 1,
                ..three_lines()
            },
        );
        let three = fit(1920.0, 1080.0, three_lines());
        assert!(one.tiles_across > three.tiles_across);
    }

    #[test]
    fn a_longer_room_name_is_set_smaller_and_a_long_one_goes_below_the_code() {
        let short = fit(1366.0, 768.0, three_lines());
        assert!(!short.room_below);
        let long = fit(
            1366.0,
            768.0,
            Content {
                room_chars: 22,
                ..three_lines()
            },
        );
        assert!(long.room_below);
        assert!(long.call_row > short.call_row);
    }

    #[test]
    fn nonsense_sizes_still_give_a_layout() {
        for (w, h) in [(f64::NAN, 1080.0), (0.0, 0.0), (f64::INFINITY, -5.0)] {
            let fit = fit(w, h, three_lines());
            assert!(fit.code_font.is_finite() && fit.code_font > 0.0);
            assert!(fit.panel_height.is_finite());
        }
    }

    proptest! {
        /// Whatever the screen and content, the blocks add up to no more
        /// than the screen: height, and each tile row across a panel.
        #[test]
        fn the_board_never_overflows_its_screen(
            width in 320.0f64..4000.0,
            height in 320.0f64..4000.0,
            lines in 0usize..8,
            calling in 0usize..6,
            notices in 0usize..5,
            code_chars in 0usize..14,
            room_chars in 0usize..30,
        ) {
            let content = Content { lines, calling, notices, code_chars, room_chars };
            let fit = fit(width, height, content);
            prop_assert!(fit.board_height() <= height + 0.01);
            prop_assert!(fit.panel_content_height() <= fit.panel_height + 0.01
                || fit.tile_rows == 0);
            let across = fit.columns as f64 * fit.panel_width
                + (fit.columns - 1) as f64 * fit.gap + 2.0 * fit.pad;
            prop_assert!(across <= width + 0.01);
            let inner = fit.panel_width - 2.0 * fit.panel_pad;
            let tiles = fit.tiles_across as f64 * fit.tile_width
                + (fit.tiles_across - 1) as f64 * fit.tile_gap;
            prop_assert!(tiles <= inner.max(fit.tile_width) + 0.01);
            prop_assert!(fit.calls_shown >= 1);
        }
    }
}

//! A chart's legend in rows under the plot, never over it: plotters' own legend box sits inside
//! the plot and covers the curves it names. Entries flow left to right and wrap, so a long
//! algorithm name takes a row of its own; one longer than a row loses its parenthesised remarks
//! (`Peak EWMA, two random choices (tower / Finagle / Linkerd)` keeps the part before the `(`;
//! `A: Round robin (nginx), then Least connections (nginx least_conn) at 30 s` keeps both
//! names and the time), and only then is it cut, with an ellipsis.

use super::backend::ChartCanvas;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::theme::{ChartColours, DrawResult};

/// A drawing area of a chart's canvas.
pub type Area = DrawingArea<ChartCanvas, Shift>;

/// How an entry's series is drawn in the key.
#[derive(Clone, Copy)]
pub enum Mark {
    /// A line, solid or dashed.
    Line {
        /// Its colour.
        colour: RGBColor,
        /// Dashed rather than solid.
        dashed: bool,
    },
    /// A bar's fill.
    Bar(RGBAColor),
    /// A mark on the time axis for an event: a triangle under a faint line.
    Event(RGBColor),
}

/// One legend entry.
#[derive(Clone)]
pub struct Entry {
    /// What the series is.
    pub name: String,
    /// How it looks.
    pub mark: Mark,
}

/// Where each entry goes: its words as they fit, its row and its left edge, in pixels from the
/// area's left.
struct Placed {
    name: String,
    row: u32,
    x: i32,
}

/// Draws `entries` in rows along the bottom of `root`; returns the area above them, for the plot.
pub fn below(
    root: &Area,
    colours: &ChartColours,
    entries: &[Entry],
) -> Result<Area, Box<dyn std::error::Error>> {
    if entries.is_empty() {
        return Ok(root.clone());
    }
    let font = colours.text(12.0);
    let sample = colours.px(18.0) as i32;
    let gap = colours.px(6.0) as i32;
    let spacing = colours.px(16.0) as i32;
    let margin = colours.px(10.0) as i32;
    let row_height = colours.px(18.0) as i32;
    let (width, height) = root.dim_in_pixel();
    let room = width as i32 - 2 * margin;
    let mut placed = Vec::with_capacity(entries.len());
    let (mut row, mut x) = (0, 0);
    for entry in entries {
        let (name, text_width) = fitted(root, &entry.name, &font, room - sample - gap)?;
        let wide = sample + gap + text_width;
        if x > 0 && x + wide > room {
            row += 1;
            x = 0;
        }
        placed.push(Placed { name, row, x });
        x += wide + spacing;
    }
    let legend_height = (row + 1) as i32 * row_height + gap;
    let (plot, legend) = root.split_vertically(height as i32 - legend_height);
    let label = font.pos(Pos::new(HPos::Left, VPos::Center));
    for (entry, at) in entries.iter().zip(placed) {
        let y = at.row as i32 * row_height + row_height / 2;
        let x = margin + at.x;
        draw_mark(&legend, entry.mark, (x, y), sample, colours)?;
        legend.draw(&Text::new(at.name, (x + sample + gap, y), &label))?;
    }
    Ok(plot)
}

/// `name` as it fits in `room` pixels, with its width: whole, else without its parenthesised
/// remarks, else cut short with an ellipsis.
fn fitted(
    area: &Area,
    name: &str,
    font: &TextStyle,
    room: i32,
) -> Result<(String, i32), Box<dyn std::error::Error>> {
    let width = |text: &str| -> Result<i32, Box<dyn std::error::Error>> {
        Ok(area.estimate_text_size(text, font)?.0 as i32)
    };
    let mut text = name.to_string();
    if width(&text)? > room {
        text = without_remarks(name);
    }
    let mut kept = text.chars().count();
    while width(&text)? > room && kept > 1 {
        kept -= 1;
        text = text.chars().take(kept).collect::<String>() + "…";
    }
    let fitted_width = width(&text)?;
    Ok((text, fitted_width))
}

/// `name` without its ` (...)` remarks.
fn without_remarks(name: &str) -> String {
    let mut kept = String::with_capacity(name.len());
    let mut rest = name;
    while let Some((before, after)) = rest.split_once(" (") {
        kept.push_str(before);
        rest = after.split_once(')').map_or("", |(_, tail)| tail);
    }
    kept.push_str(rest);
    kept
}

/// Draws a key's sample of `mark`, `width` pixels wide, its left middle at `(x, y)`.
fn draw_mark(
    area: &Area,
    mark: Mark,
    (x, y): (i32, i32),
    width: i32,
    colours: &ChartColours,
) -> DrawResult {
    match mark {
        Mark::Line { colour, dashed } => {
            let style = colour.stroke_width(colours.stroke(2.0));
            let points = vec![(x, y), (x + width, y)];
            if dashed {
                let (dash, space) = (colours.px(4.0), colours.px(3.0));
                area.draw(&DashedPathElement::new(points, dash, space, style))?;
            } else {
                area.draw(&PathElement::new(points, style))?;
            }
        }
        Mark::Bar(fill) => {
            let half = colours.px(5.0) as i32;
            area.draw(&Rectangle::new(
                [(x, y - half), (x + width, y + half)],
                fill.filled(),
            ))?;
        }
        Mark::Event(colour) => {
            let middle = x + width / 2;
            let half = colours.px(7.0) as i32;
            area.draw(&PathElement::new(
                vec![(middle, y - half), (middle, y + half)],
                colour.mix(0.55).stroke_width(colours.stroke(1.0)),
            ))?;
            area.draw(&TriangleMarker::new(
                (middle, y + half / 2),
                colours.px(6.0),
                colour.filled(),
            ))?;
        }
    }
    Ok(())
}

//! The HTML report: the [`Document`] as one self-contained page (inline SVG charts, embedded
//! keyframes, no network) that a person would rather look at than read, and that prints
//! cleanly (`@media print`: no chart or keyframe split from its caption, no heading left alone
//! at the foot of a page). Pure: a document in, a string out.

use std::fmt::Write as _;

use base64::Engine as _;
use plotters::style::RGBColor;

use super::charts::state_colour;
use super::document::{Block, Chart, Document, Figure, Section};

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn css(c: RGBColor) -> String {
    format!("rgb({},{},{})", c.0, c.1, c.2)
}

/// Renders the whole report.
pub fn render(doc: &Document) -> String {
    let mut html = String::new();
    let _ = write!(
        html,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>{title}</title><style>{css}</style></head><body><header>"#,
        title = escape(&doc.title),
        css = STYLE
    );
    if let Some(label) = &doc.label {
        let _ = write!(html, r#"<p class="label-line">{}</p>"#, escape(label));
    }
    let meta: Vec<String> = doc.meta.iter().map(|m| escape(m)).collect();
    let _ = write!(
        html,
        r#"<h1>{}</h1><p class="meta">{}</p>"#,
        escape(&doc.title),
        meta.join(" · ")
    );
    if let Some(notes) = &doc.notes {
        let _ = write!(html, r#"<p class="notes">{}</p>"#, escape(notes));
    }
    html.push_str("</header>");
    for section in &doc.sections {
        section_html(&mut html, section);
    }
    let _ = write!(
        html,
        "<footer>{}</footer></body></html>",
        escape(&doc.footer)
    );
    html
}

/// A section; its heading and first block are kept together on a printed page.
fn section_html(html: &mut String, section: &Section) {
    let _ = write!(
        html,
        r#"<section id="{}"><div class="lead"><h2>{}</h2>"#,
        escape(section.id),
        escape(&section.heading)
    );
    let mut blocks = section.blocks.iter();
    if let Some(first) = blocks.next() {
        block_html(html, first);
    }
    html.push_str("</div>");
    for block in blocks {
        block_html(html, block);
    }
    html.push_str("</section>");
}

fn block_html(html: &mut String, block: &Block) {
    match block {
        Block::Paragraph(text) => {
            let _ = write!(html, "<p>{}</p>", escape(text));
        }
        Block::Note(text) => {
            let _ = write!(html, r#"<p class="note">{}</p>"#, escape(text));
        }
        Block::List(items) => {
            html.push_str("<ul>");
            for item in items {
                let _ = write!(html, "<li>{}</li>", escape(item));
            }
            html.push_str("</ul>");
        }
        Block::Tiles(tiles) => {
            html.push_str(r#"<div class="tiles">"#);
            for t in tiles {
                let _ = write!(
                    html,
                    r#"<div class="tile"><div class="value">{}</div><div class="label">{}</div></div>"#,
                    escape(&t.value),
                    escape(&t.label)
                );
            }
            html.push_str("</div>");
        }
        Block::StateBar(states) => {
            html.push_str(r#"<div class="statebar">"#);
            for (st, fraction) in states {
                let f = fraction * 100.0;
                let _ = write!(
                    html,
                    r#"<span style="width:{f:.2}%;background:{c}" title="{n} {f:.0}%"></span>"#,
                    c = css(state_colour(*st)),
                    n = st.name()
                );
            }
            html.push_str("</div>");
        }
        Block::Charts(charts) => {
            let grid = charts.len() > 1;
            if grid {
                html.push_str(r#"<div class="grid">"#);
            }
            for chart in charts {
                chart_html(html, chart);
            }
            if grid {
                html.push_str("</div>");
            }
        }
        Block::Figures(figures) => {
            html.push_str(r#"<div class="figures">"#);
            for figure in figures {
                figure_html(html, figure);
            }
            html.push_str("</div>");
        }
        Block::Table { header, rows } => {
            html.push_str("<table><thead><tr>");
            for h in header {
                let _ = write!(html, "<th>{}</th>", escape(h));
            }
            html.push_str("</tr></thead><tbody>");
            for row in rows {
                html.push_str("<tr>");
                for cell in row {
                    let _ = write!(html, "<td>{}</td>", escape(cell));
                }
                html.push_str("</tr>");
            }
            html.push_str("</tbody></table>");
        }
    }
}

/// A chart (our own SVG, inline) and its caption, never split.
fn chart_html(html: &mut String, chart: &Chart) {
    let _ = write!(html, r#"<figure class="chart">{}"#, chart.svg);
    if let Some(caption) = &chart.caption {
        let _ = write!(html, "<figcaption>{}</figcaption>", escape(caption));
    }
    html.push_str("</figure>");
}

/// A keyframe with the skeleton and the plumb line drawn over it (SVG over the JPEG).
fn figure_html(html: &mut String, f: &Figure) {
    let data = base64::engine::general_purpose::STANDARD.encode(&f.jpeg);
    let (w, h) = (f.width.max(1), f.height.max(1));
    let _ = write!(
        html,
        r#"<figure class="keyframe"><div class="frame"><img alt="{alt}" src="data:image/jpeg;base64,{data}"><svg viewBox="0 0 {w} {h}" preserveAspectRatio="none">{overlay}</svg></div><figcaption>{alt}</figcaption></figure>"#,
        alt = escape(&f.caption),
        overlay = f.overlay,
    );
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}\
h1{margin-bottom:.2em}.meta{color:#666}.notes{background:#f6f6f0;padding:.6em;border-radius:6px}\
.label-line{font-weight:600;margin:0}\
.tiles{display:flex;flex-wrap:wrap;gap:.8em}.tile{flex:1 1 150px;background:#f3f6fb;border-radius:8px;padding:.8em}\
.value{font-size:1.6em;font-weight:600}.label{color:#555;font-size:.9em}\
.statebar{display:flex;height:14px;border-radius:7px;overflow:hidden;margin-top:1em}.statebar span{display:block}\
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:.5em}\
figure{margin:0 0 1em 0}figure.chart svg{max-width:100%;height:auto}figcaption{color:#555;font-size:.9em}\
.keyframe{display:inline-block;vertical-align:top;margin:0 1em 1em 0;max-width:440px}.frame{position:relative;display:inline-block;max-width:100%}\
.frame img{display:block;max-width:100%;max-height:420px}.frame svg{position:absolute;inset:0;width:100%;height:100%}\
table{border-collapse:collapse}th,td{padding:.2em .6em;text-align:left;border-bottom:1px solid #ddd}\
.note{color:#777;font-size:.85em}\
footer{color:#888;font-size:.85em;margin-top:2em}\
@media print{@page{margin:15mm}body{max-width:none;margin:0;padding:0;font-size:10.5pt}\
figure,.tile,.tiles,.statebar,table,tr,.lead{break-inside:avoid;page-break-inside:avoid}\
h1,h2{break-after:avoid;page-break-after:avoid}\
.keyframe{max-width:48%;margin-right:2%}\
.grid{grid-template-columns:1fr 1fr}\
.tile,.statebar,.statebar span,.notes{print-color-adjust:exact;-webkit-print-color-adjust:exact}}";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::state::PostureState;
    use crate::report::charts::tests::samples;
    use crate::report::document::{build, longest_run_s};
    use crate::report::input::HistoryPoint;
    use crate::report::summary::SummaryBuilder;
    use crate::report::synthetic::input;

    #[test]
    fn report_has_every_section_escapes_user_text_and_stays_offline() {
        let samples = samples();
        let mut b = SummaryBuilder::default();
        for s in &samples {
            b.push(s);
        }
        let summary = b.finish("clip <b>.mp4", "full", None);
        let history = [HistoryPoint {
            id: 6,
            started: "yesterday".into(),
            aligned_fraction: 0.4,
            ..Default::default()
        }];
        let mut input = input(&samples, &summary);
        input.session.source = "clip <b>.mp4".into();
        input.session.notes = "<script>alert('x')</script> & more".into();
        input.history = &history;
        input.earlier_sessions = 1;
        let html = render(&build(&input));
        for id in ["headline", "timeline", "distributions", "moments", "trend"] {
            assert!(
                html.contains(&format!(r#"<section id="{id}">"#)),
                "missing {id}"
            );
        }
        assert!(!html.contains("<script>"), "user text must be escaped");
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more"));
        assert!(html.contains("clip &lt;b&gt;.mp4"));
        assert!(
            html.contains("UTC · 30 s · clip"),
            "the length in plain words, as everywhere else"
        );
        assert!(html.matches("<svg").count() >= 4, "charts are inline SVG");
        // Nothing is fetched: the only URLs are SVG's namespace name.
        for fetch in ["src=\"http", "href=\"http", "url(http", "@import"] {
            assert!(!html.contains(fetch), "external resource: {fetch}");
        }
        assert!((longest_run_s(&samples, PostureState::Misaligned) - 4.0).abs() < 2.0);
    }
}

//! Adds up the numbers 0..n in seven ways, on more and more threads, and
//! prints how many numbers per second each way gets through.
//!
//! `cargo run -p ch13-measuring --bin throughput` runs a small workload.
//! `cargo run --release -p ch13-measuring --bin throughput -- --full`
//! measures for real and draws src/images/ch13-throughput.svg.

use std::error::Error;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use plotters::prelude::*;

// ANCHOR: variants
/// A way to add up the numbers `0..n` with `threads` threads.
type Variant = fn(n: u64, threads: u64) -> u64;

const VARIANTS: [(&str, Variant); 7] = [
    ("Mutex", mutex),
    ("RwLock", rwlock),
    ("AtomicU64", atomic),
    ("local sums", local_sums),
    ("mpsc::channel", mpsc_channel),
    ("sync_channel", sync_channel),
    ("crossbeam", crossbeam),
];

/// The numbers thread `t` of `threads` adds: t, t + threads, t + 2 * threads…
fn share(n: u64, threads: u64, t: u64) -> impl Iterator<Item = u64> {
    (t..n).step_by(threads as usize)
}
// ANCHOR_END: variants

// ANCHOR: shared-state
fn mutex(n: u64, threads: u64) -> u64 {
    let total = Mutex::new(0);
    thread::scope(|s| {
        for t in 0..threads {
            let total = &total;
            s.spawn(move || {
                for i in share(n, threads, t) {
                    *total.lock().unwrap() += i;
                }
            });
        }
    });
    total.into_inner().unwrap()
}

fn rwlock(n: u64, threads: u64) -> u64 {
    let total = RwLock::new(0);
    thread::scope(|s| {
        for t in 0..threads {
            let total = &total;
            s.spawn(move || {
                for i in share(n, threads, t) {
                    *total.write().unwrap() += i;
                }
            });
        }
    });
    total.into_inner().unwrap()
}

fn atomic(n: u64, threads: u64) -> u64 {
    let total = AtomicU64::new(0);
    thread::scope(|s| {
        for t in 0..threads {
            let total = &total;
            s.spawn(move || {
                for i in share(n, threads, t) {
                    total.fetch_add(i, Ordering::Relaxed);
                }
            });
        }
    });
    total.into_inner()
}

fn local_sums(n: u64, threads: u64) -> u64 {
    thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                // black_box keeps the compiler from replacing the loop
                // with a formula: every number is really added.
                s.spawn(move || share(n, threads, t).map(black_box).sum::<u64>())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    })
}
// ANCHOR_END: shared-state

// ANCHOR: channels
fn mpsc_channel(n: u64, threads: u64) -> u64 {
    let (tx, rx) = mpsc::channel();
    thread::scope(|s| {
        for t in 0..threads {
            let tx = tx.clone();
            s.spawn(move || {
                for i in share(n, threads, t) {
                    tx.send(i).unwrap();
                }
            });
        }
        drop(tx);
        rx.iter().sum()
    })
}

fn sync_channel(n: u64, threads: u64) -> u64 {
    let (tx, rx) = mpsc::sync_channel(1024);
    thread::scope(|s| {
        for t in 0..threads {
            let tx = tx.clone();
            s.spawn(move || {
                for i in share(n, threads, t) {
                    tx.send(i).unwrap();
                }
            });
        }
        drop(tx);
        rx.iter().sum()
    })
}

fn crossbeam(n: u64, threads: u64) -> u64 {
    let (tx, rx) = crossbeam_channel::unbounded();
    thread::scope(|s| {
        for t in 0..threads {
            let tx = tx.clone();
            s.spawn(move || {
                for i in share(n, threads, t) {
                    tx.send(i).unwrap();
                }
            });
        }
        drop(tx);
        rx.iter().sum()
    })
}
// ANCHOR_END: channels

fn main() {
    let full = std::env::args().any(|arg| arg == "--full");
    // The small workload takes a debug build well under a second; --full
    // is the real measurement (build it with --release).
    let (n, runs) = if full { (10_000_000, 7) } else { (20_000, 1) };
    let counts = thread_counts(full);
    let each = match runs {
        1 => "one run".to_owned(),
        _ => format!("the median of {runs} runs"),
    };
    println!("adding up 0..{n} on {} threads, {each} each", list(&counts));

    let (rates, agree) = measure(n, runs, &counts);
    print_table("million numbers per second:", &counts, &rates.median);
    if runs > 1 {
        // How far the runs spread: a difference between two variants that
        // is smaller than this is noise.
        print_table("the slowest of the runs:", &counts, &rates.slowest);
        print_table("the fastest of the runs:", &counts, &rates.fastest);
    }
    println!("all {} variants agree: {agree}", VARIANTS.len());
    println!("total: {} (0 + 1 + ... + {})", n * (n - 1) / 2, n - 1);

    if full {
        let cores = thread::available_parallelism().map_or(1, |c| c.get());
        println!("this machine runs {cores} threads at once");
        match plot(PLOT, n, cores, &counts, &rates.median) {
            Ok(()) => println!("wrote {PLOT}"),
            Err(e) => println!("could not write {PLOT} (run this in the repository root): {e}"),
        }
    }
}

// ANCHOR: measure
/// Million numbers per second for each variant and number of threads.
struct Rates {
    slowest: Vec<Vec<f64>>,
    median: Vec<Vec<f64>>,
    fastest: Vec<Vec<f64>>,
}

/// Times every variant with each number of threads, `runs` times, and
/// returns the rates of the slowest, the median and the fastest run. Also
/// says whether every total was right.
fn measure(n: u64, runs: u32, counts: &[u64]) -> (Rates, bool) {
    let expected = n * (n - 1) / 2;
    let mut agree = true;
    let mut times = vec![vec![Vec::new(); counts.len()]; VARIANTS.len()];
    // Each run times every variant once: a moment when the machine is busy
    // with something else disturbs one run of a few variants, not every
    // run of one variant.
    for _ in 0..runs {
        for (v, (_, variant)) in VARIANTS.iter().enumerate() {
            for (c, &threads) in counts.iter().enumerate() {
                let start = Instant::now();
                let total = variant(n, threads);
                times[v][c].push(start.elapsed());
                agree &= total == expected;
            }
        }
    }
    // Each cell's times from the fastest to the slowest.
    times.iter_mut().flatten().for_each(|cell| cell.sort());
    let rate = |pick: fn(&[Duration]) -> Duration| -> Vec<Vec<f64>> {
        let per_second = |cell: &Vec<Duration>| n as f64 / pick(cell).as_secs_f64() / 1e6;
        let row = |row: &Vec<Vec<Duration>>| row.iter().map(per_second).collect();
        times.iter().map(row).collect()
    };
    let rates = Rates {
        slowest: rate(|cell| cell[cell.len() - 1]),
        // The middle time: as many runs were faster as were slower.
        median: rate(|cell| cell[cell.len() / 2]),
        fastest: rate(|cell| cell[0]),
    };
    (rates, agree)
}
// ANCHOR_END: measure

fn print_table(title: &str, counts: &[u64], rates: &[Vec<f64>]) {
    println!("{title}");
    print!("{:<14}", "threads");
    for threads in counts {
        print!("{threads:>8}");
    }
    println!();
    for ((name, _), row) in VARIANTS.iter().zip(rates) {
        print!("{name:<14}");
        for rate in row {
            print!("{rate:>8.1}");
        }
        println!();
    }
}

/// 1, 2, 4 and 8 threads; with --full, up to every core the machine has.
fn thread_counts(full: bool) -> Vec<u64> {
    let cores = thread::available_parallelism().map_or(1, |c| c.get() as u64);
    let most = if full { cores.max(8) } else { 8 };
    let mut counts: Vec<u64> = std::iter::successors(Some(1), |t| Some(t * 2))
        .take_while(|&t| t <= most)
        .collect();
    if counts.last() != Some(&most) {
        counts.push(most);
    }
    counts
}

/// "1, 2, 4 and 8"
fn list(counts: &[u64]) -> String {
    let texts: Vec<String> = counts.iter().map(u64::to_string).collect();
    match texts.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => texts.concat(),
    }
}

const PLOT: &str = "src/images/ch13-throughput.svg";

/// Draws one line per variant: million numbers per second (log scale)
/// for each number of threads (1, 2, 4…, evenly spaced).
fn plot(
    path: &str,
    n: u64,
    cores: usize,
    counts: &[u64],
    rates: &[Vec<f64>],
) -> Result<(), Box<dyn Error>> {
    const FONT: &str = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif";
    const COLORS: [RGBColor; 7] = [
        RGBColor(0xc0, 0x39, 0x2b),
        RGBColor(0xe6, 0x7e, 0x22),
        RGBColor(0x8e, 0x44, 0xad),
        RGBColor(0x27, 0xae, 0x60),
        RGBColor(0x29, 0x80, 0xb9),
        RGBColor(0x16, 0xa0, 0x85),
        RGBColor(0x2c, 0x3e, 0x50),
    ];
    let values = rates.iter().flatten().copied();
    let low = values.clone().fold(f64::MAX, f64::min) / 2.0;
    let high = values.fold(0.0, f64::max) * 2.0;
    let last = counts.len() as f64 - 1.0;
    // The x coordinate of each point is the index of its thread count.
    let count_at = |x: &f64| match counts.get(x.round() as usize) {
        Some(threads) if x.fract() == 0.0 => threads.to_string(),
        _ => String::new(),
    };

    let root = SVGBackend::new(path, (820, 480)).into_drawing_area();
    root.fill(&RGBColor(0xfa, 0xfa, 0xf7))?;
    let caption = format!(
        "Adding up {} million numbers; this machine runs {cores} threads at once",
        n as f64 / 1e6
    );
    let root = root.titled(&caption, (FONT, 19).into_font().color(&BLACK))?;
    let (left, legend) = root.split_horizontally(660);
    let mut chart = ChartBuilder::on(&left)
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(-0.2..last + 0.2, (low..high).log_scale())?;
    chart
        .configure_mesh()
        .x_labels(counts.len())
        .x_label_formatter(&count_at)
        .y_label_formatter(&|v| format!("{v}"))
        .x_desc("threads")
        .y_desc("million numbers per second (log scale)")
        .label_style((FONT, 14).into_font().color(&BLACK))
        .axis_desc_style((FONT, 15).into_font().color(&BLACK))
        .light_line_style(RGBColor(0xe4, 0xe4, 0xe0))
        .bold_line_style(RGBColor(0xcc, 0xcc, 0xc6))
        .axis_style(BLACK)
        .draw()?;
    for (i, (row, color)) in rates.iter().zip(COLORS).enumerate() {
        let name = VARIANTS[i].0;
        let style = color.stroke_width(2);
        let points = row.iter().enumerate().map(|(x, &y)| (x as f64, y));
        chart.draw_series(LineSeries::new(points, style).point_size(4))?;
        // Its entry in the legend, right of the chart.
        let y = 40 + 26 * i as i32;
        legend.draw(&PathElement::new([(0, y), (28, y)], style))?;
        legend.draw(&Circle::new((14, y), 4, style))?;
        let label = Text::new(name, (38, y - 8), (FONT, 15).into_font().color(&BLACK));
        legend.draw(&label)?;
    }
    root.present()?;
    Ok(())
}

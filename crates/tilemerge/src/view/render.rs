//! Drawing a pass: the buffers a view reads, the range of what it shows, and its pixels as 8-bit
//! RGBA, for a whole frame, for some regions of it, or packed region after region.

use super::half_colour::HalfColour;
use super::{false_colour, luminance, Channel, Mapping, ValueRange, NO_HIT};
use crate::export::{linear_to_srgb8, ExportError};
use crate::layout::{Rect, Size};
use crate::passes::{PassInfo, Samples};
use crate::stitch::Canvas;

/// The buffers a pass is shown from.
pub(super) struct Sources<'a> {
    pub(super) colour: [&'a Samples; 3],
    pub(super) alpha: Option<&'a Samples>,
    /// One value per pixel (Depth, Mist, ...): its "colour" is that value three times.
    pub(super) single: bool,
}

/// A pass's buffers over `size` pixels: a canvas's, or one tile's at one level.
pub struct PassPlane<'a> {
    /// The pixels the buffers cover.
    pub size: Size,
    /// The pass and its channels.
    pub info: &'a PassInfo,
    /// One buffer per channel, `size.width * size.height` samples, rows from the top.
    pub buffers: &'a [Samples],
}

impl<'a> PassPlane<'a> {
    /// `pass` of `canvas`, or why it has none.
    pub fn of_canvas(canvas: &'a Canvas, pass: &str) -> Result<PassPlane<'a>, ExportError> {
        let Some((info, buffers)) = canvas.pass_samples(pass) else {
            if canvas.passes().is_empty() {
                return Err(ExportError::Empty);
            }
            return Err(ExportError::UnknownPass {
                requested: pass.to_string(),
                available: canvas.passes().iter().map(PassInfo::display_name).collect(),
            });
        };
        Ok(PassPlane { size: canvas.size(), info, buffers })
    }
}

impl<'a> Sources<'a> {
    fn of(plane: &PassPlane<'a>) -> Result<Sources<'a>, ExportError> {
        let (info, buffers) = (plane.info, plane.buffers);
        let find = |c: &str| info.component_index(c).and_then(|i| buffers.get(i));
        let alpha = find("A");
        let triple = |a: &str, b: &str, c: &str| Some([find(a)?, find(b)?, find(c)?]);
        // Like `preview_rgba8`: colour, else a vector, else the channels in file order.
        let mut others: Vec<&Samples> =
            buffers.iter().zip(&info.channels).filter(|(_, c)| c.component != "A").map(|(s, _)| s).collect();
        if others.is_empty() {
            // Alpha alone is still something to show.
            others.extend(buffers.first());
        }
        let (colour, single) = match triple("R", "G", "B").or_else(|| triple("X", "Y", "Z")) {
            Some(colour) => (colour, false),
            None => match (others.first(), others.get(1), others.get(2)) {
                (Some(a), Some(b), Some(c)) => ([*a, *b, *c], false),
                (Some(a), Some(b), None) => ([*a, *b, *b], false),
                (Some(a), _, _) => ([*a, *a, *a], true),
                (None, _, _) => return Err(ExportError::Empty),
            },
        };
        Ok(Sources { colour, alpha, single })
    }

    pub(super) fn at(&self, i: usize) -> Value {
        let [r, g, b] = self.colour.map(|s| s.get_f32(i).unwrap_or(0.0));
        Value { rgb: [r, g, b], alpha: self.alpha.and_then(|s| s.get_f32(i)) }
    }
}

/// One pixel's colour and alpha.
pub(super) struct Value {
    rgb: [f32; 3],
    alpha: Option<f32>,
}

/// What a channel picks from a pixel: a colour or one number.
enum Picked {
    Colour([f32; 3]),
    Scalar(f32),
}

impl Value {
    fn pick(&self, channel: Channel, single: bool) -> Picked {
        let [r, g, b] = self.rgb;
        match channel {
            Channel::Rgb if single => Picked::Scalar(r),
            Channel::Rgb => Picked::Colour(self.rgb),
            Channel::R => Picked::Scalar(r),
            Channel::G => Picked::Scalar(g),
            Channel::B => Picked::Scalar(b),
            Channel::A => Picked::Scalar(self.alpha.unwrap_or(1.0)),
            Channel::Luminance => Picked::Scalar(luminance(r, g, b)),
        }
    }
}

/// The range of what `channel` shows of `pass` over the pixels of `regions` (the placed ones:
/// elsewhere the canvas is empty, and its zeros are no values), without [`NO_HIT`]s. `None` when
/// no value is finite.
pub fn pass_range(
    canvas: &Canvas,
    pass: &str,
    channel: Channel,
    regions: &[Rect],
) -> Result<Option<ValueRange>, ExportError> {
    plane_range(&PassPlane::of_canvas(canvas, pass)?, channel, regions)
}

/// Like [`pass_range`], over the pixels of `regions` of `plane`.
pub fn plane_range(
    plane: &PassPlane,
    channel: Channel,
    regions: &[Rect],
) -> Result<Option<ValueRange>, ExportError> {
    let sources = Sources::of(plane)?;
    let mut range = None;
    let mut include = |v: f32| {
        if v.is_finite() && v.abs() < NO_HIT {
            let here = ValueRange { min: v, max: v };
            range = Some(range.map_or(here, |r: ValueRange| r.merge(here)));
        }
    };
    for i in pixels_in(plane.size, regions) {
        match sources.at(i).pick(channel, sources.single) {
            Picked::Colour(c) => c.into_iter().for_each(&mut include),
            Picked::Scalar(v) => include(v),
        }
    }
    Ok(range)
}

/// `channel` of `pass` as 8-bit RGBA, `width * height * 4` bytes, rows from the top. Under
/// [`Mapping::Srgb`] the colour keeps the pass's alpha (like [`crate::preview_rgba8`]) and one
/// number is a grey level (alpha linearly, without exposure, since it is no light); under
/// [`Mapping::FalseColour`] every pixel is opaque.
pub fn render_rgba8(
    canvas: &Canvas,
    pass: &str,
    channel: Channel,
    mapping: Mapping,
) -> Result<Vec<u8>, ExportError> {
    let size = canvas.size();
    render_regions_rgba8(
        canvas,
        pass,
        channel,
        mapping,
        &[Rect { x: 0, y: 0, width: size.width, height: size.height }],
    )
}

/// Like [`render_rgba8`], drawing only the pixels inside `regions` (the rest stays transparent
/// black): a worker holding some of the tiles draws only those, so the work is shared out.
pub fn render_regions_rgba8(
    canvas: &Canvas,
    pass: &str,
    channel: Channel,
    mapping: Mapping,
    regions: &[Rect],
) -> Result<Vec<u8>, ExportError> {
    let plane = PassPlane::of_canvas(canvas, pass)?;
    let sources = Sources::of(&plane)?;
    let size = plane.size;
    let gain = match mapping {
        Mapping::Srgb { exposure } => exposure.exp2(),
        Mapping::FalseColour { .. } => 1.0,
    };
    let mut out = vec![0u8; size.area() as usize * 4];
    if let Some(half) = HalfColour::of(&sources, channel, mapping, size.area() as usize) {
        for (start, len) in rows_in(size, regions) {
            half.draw_row(start, &mut out[start * 4..(start + len) * 4]);
        }
        return Ok(out);
    }
    for i in pixels_in(size, regions) {
        let rgba = view_pixel(sources.at(i), sources.single, channel, mapping, gain);
        out[i * 4..i * 4 + 4].copy_from_slice(&rgba);
    }
    Ok(out)
}

/// Like [`render_regions_rgba8`], but packed: the pixels of each region (clipped to the image)
/// one region after another, each `width * height * 4` bytes with rows from the top, and the
/// clipped regions. A worker sends only what it drew, not a whole frame that is mostly empty
/// (33 MB at 3840x2160), and a tile can be drawn the moment it is placed.
pub fn render_packed_rgba8(
    canvas: &Canvas,
    pass: &str,
    channel: Channel,
    mapping: Mapping,
    regions: &[Rect],
) -> Result<(Vec<Rect>, Vec<u8>), ExportError> {
    render_plane_packed_rgba8(&PassPlane::of_canvas(canvas, pass)?, channel, mapping, regions)
}

/// Like [`render_packed_rgba8`], for the pixels of `regions` of `plane`.
pub fn render_plane_packed_rgba8(
    plane: &PassPlane,
    channel: Channel,
    mapping: Mapping,
    regions: &[Rect],
) -> Result<(Vec<Rect>, Vec<u8>), ExportError> {
    let sources = Sources::of(plane)?;
    let size = plane.size;
    let gain = match mapping {
        Mapping::Srgb { exposure } => exposure.exp2(),
        Mapping::FalseColour { .. } => 1.0,
    };
    let image = Rect { x: 0, y: 0, width: size.width, height: size.height };
    let clipped: Vec<Rect> = regions.iter().map(|r| r.intersect(&image)).filter(|r| r.area() > 0).collect();
    let mut out = Vec::with_capacity(clipped.iter().map(|r| r.area() as usize * 4).sum());
    if let Some(half) = HalfColour::of(&sources, channel, mapping, size.area() as usize) {
        out.resize(out.capacity(), 0);
        let mut at = 0;
        for (start, len) in rows_in(size, &clipped) {
            half.draw_row(start, &mut out[at..at + len * 4]);
            at += len * 4;
        }
        return Ok((clipped, out));
    }
    for i in pixels_in(size, &clipped) {
        out.extend_from_slice(&view_pixel(sources.at(i), sources.single, channel, mapping, gain));
    }
    Ok((clipped, out))
}

/// The indices (row by row from the top) of the image's pixels inside `regions`, clipped to it.
fn pixels_in(size: Size, regions: &[Rect]) -> impl Iterator<Item = usize> + '_ {
    let image = Rect { x: 0, y: 0, width: size.width, height: size.height };
    let width = size.width as usize;
    regions.iter().map(move |r| r.intersect(&image)).flat_map(move |region| {
        (region.y..region.bottom())
            .flat_map(move |y| (region.x..region.right()).map(move |x| y as usize * width + x as usize))
    })
}

/// The rows of `regions` clipped to the image, row by row from the top: each row's first pixel
/// index and its length.
fn rows_in(size: Size, regions: &[Rect]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let image = Rect { x: 0, y: 0, width: size.width, height: size.height };
    let width = size.width as usize;
    regions.iter().map(move |r| r.intersect(&image)).filter(|r| r.area() > 0).flat_map(move |region| {
        (region.y..region.bottom())
            .map(move |y| (y as usize * width + region.x as usize, region.width as usize))
    })
}

/// One pixel of a view as 8-bit RGBA.
pub(super) fn view_pixel(
    value: Value,
    single: bool,
    channel: Channel,
    mapping: Mapping,
    gain: f32,
) -> [u8; 4] {
    match (mapping, value.pick(channel, single)) {
        (Mapping::Srgb { .. }, Picked::Colour(c)) => {
            let [r, g, b] = c.map(|v| linear_to_srgb8(v * gain));
            [r, g, b, value.alpha.map_or(255, unit_to_u8)]
        }
        (Mapping::Srgb { .. }, Picked::Scalar(a)) if channel == Channel::A => {
            let v = unit_to_u8(a);
            [v, v, v, 255]
        }
        (Mapping::Srgb { .. }, Picked::Scalar(v)) => {
            let v = linear_to_srgb8(v * gain);
            [v, v, v, 255]
        }
        (Mapping::FalseColour { range }, Picked::Colour(c)) => {
            let [r, g, b] = c.map(|v| unit_to_u8(range.normalise(v)));
            [r, g, b, 255]
        }
        (Mapping::FalseColour { range }, Picked::Scalar(v)) => {
            let [r, g, b] = false_colour(range.normalise(v));
            [r, g, b, 255]
        }
    }
}

/// 0..=1 to 0..=255, clamped (NaN is 0).
pub(super) fn unit_to_u8(v: f32) -> u8 {
    if v.is_nan() {
        0
    } else {
        (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::TileId;
    use crate::layout::{Grid, Size};
    use crate::stitch::CanvasOptions;
    use crate::synth::Frame;

    #[test]
    fn packed_regions_hold_the_same_pixels_as_the_whole_frame_and_are_clipped() {
        let size = Size { width: 6, height: 4 };
        let grid = Grid::new(size, size, 0).expect("a grid");
        let mut canvas = Canvas::new(grid, CanvasOptions::default());
        let bytes =
            crate::encode_exr(&Frame::blender_like(size, 3).image_data(), &crate::ExrOptions::DEFAULT)
                .expect("an EXR");
        canvas.add(TileId { x0: 0, y0: 0, x1: 6, y1: 4 }, &bytes).expect("placed");
        let mapping = Mapping::Srgb { exposure: 1.0 };
        let whole = render_rgba8(&canvas, "ViewLayer.Combined", Channel::Rgb, mapping).expect("pixels");
        let regions = [
            Rect { x: 1, y: 1, width: 2, height: 2 },
            Rect { x: 4, y: 3, width: 5, height: 5 },
            Rect { x: 9, y: 9, width: 1, height: 1 },
        ];
        let (drawn, packed) =
            render_packed_rgba8(&canvas, "ViewLayer.Combined", Channel::Rgb, mapping, &regions)
                .expect("pixels");
        // The second is cut at the image's corner, the third lies outside it.
        assert_eq!(drawn, [regions[0], Rect { x: 4, y: 3, width: 2, height: 1 }]);
        let mut at = 0;
        for r in &drawn {
            for y in r.y..r.y + r.height {
                for x in r.x..r.x + r.width {
                    let i = (y * size.width + x) as usize * 4;
                    assert_eq!(packed[at..at + 4], whole[i..i + 4], "pixel {x}, {y}");
                    at += 4;
                }
            }
        }
        assert_eq!(at, packed.len(), "nothing more");
    }
}

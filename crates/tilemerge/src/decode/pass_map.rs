//! Which pass and channel each channel of each part of a file belongs to, in Blender's component
//! order.

use exr::meta::header::Header;

use crate::passes::{split_channel_name, text_to_string, ChannelInfo, PassInfo, SampleType};

/// The passes of a file and, per part and channel, which pass and channel it belongs to.
pub(super) struct PassMap {
    pub passes: Vec<PassInfo>,
    pub parts: Vec<Option<String>>,
    /// `targets[part][channel] = (pass, channel in pass)`.
    pub targets: Vec<Vec<(usize, usize)>>,
}

pub(super) fn map_passes(headers: &[Header]) -> PassMap {
    let mut passes: Vec<PassInfo> = Vec::new();
    let mut parts = Vec::new();
    let mut targets = Vec::with_capacity(headers.len());
    for header in headers {
        let mut part_targets = Vec::with_capacity(header.channels.list.len());
        for channel in &header.channels.list {
            let name = text_to_string(&channel.name);
            let (layer, pass, component) = split_channel_name(&name);
            let index = match passes.iter().position(|p| p.view_layer == layer && p.pass == pass) {
                Some(i) => i,
                None => {
                    passes.push(PassInfo {
                        view_layer: layer.to_string(),
                        pass: pass.to_string(),
                        channels: Vec::new(),
                    });
                    parts.push(header.own_attributes.layer_name.as_ref().map(text_to_string));
                    passes.len() - 1
                }
            };
            let component = component.to_string();
            if let Some(p) = passes.get_mut(index) {
                p.channels.push(ChannelInfo {
                    name,
                    component,
                    sample_type: SampleType::from_exr(channel.sample_type),
                });
                part_targets.push((index, p.channels.len() - 1));
            }
        }
        targets.push(part_targets);
    }
    // Files list channels alphabetically (A, B, G, R); show them the way Blender names them.
    for (pass_index, pass) in passes.iter_mut().enumerate() {
        let mut order: Vec<usize> = (0..pass.channels.len()).collect();
        order.sort_by_key(|i| pass.channels.get(*i).map(|c| component_rank(&c.component)));
        let mut new_position = vec![0; order.len()];
        for (new, old) in order.iter().enumerate() {
            if let Some(slot) = new_position.get_mut(*old) {
                *slot = new;
            }
        }
        pass.channels = order.iter().filter_map(|i| pass.channels.get(*i).cloned()).collect();
        for (p, c) in targets.iter_mut().flatten() {
            if *p == pass_index {
                *c = new_position.get(*c).copied().unwrap_or(*c);
            }
        }
    }
    PassMap { passes, parts, targets }
}

/// Blender's component order; anything else keeps its (alphabetical) file order after them.
fn component_rank(component: &str) -> usize {
    const ORDER: [&str; 10] = ["R", "G", "B", "A", "X", "Y", "Z", "U", "V", "W"];
    ORDER.iter().position(|c| *c == component).unwrap_or(ORDER.len())
}

// Single Image Tiles: one image rendered in tiles by many workers, merged exactly on the farm.
//
// Install: copy this file into the `scripts/` folder next to the Flamenco Manager executable
// (the job type is then `single-image-tiles`), and put `tilemerge` (from Farmdeck's releases, or
// `cargo build --release -p tilemerge`) on every worker's PATH, or set TILEMERGE below.
//
// Unlike the published "Single Image Render" job type, it
// - renders each tile with Blender's own border maths at any render scale, overscan clamped at
//   every edge (the published type clamps the top with the image's width: portrait images lose
//   tiles);
// - writes every pass the scene has to multilayer EXR, and merges them all with `tilemerge`,
//   bit for bit, instead of re-rendering through the compositor (Combined only);
// - can denoise once after the merge: tiles are rendered noisy with Cycles' denoising data
//   passes, merged, and denoised as one frame, which gives the pixels of a full-frame denoise
//   (denoising each tile alone leaves seams).

/* The command that runs tilemerge on a worker. */
const TILEMERGE = "tilemerge";

const JOB_TYPE = {
    label: "Single Image Tiles",
    description: "One image rendered in tiles by many workers, merged exactly with tilemerge; optionally denoised once after the merge.",
    settings: [
        { key: "frame", type: "int32", required: true, eval: "C.scene.frame_current",
          description: "Frame to render" },
        { key: "resolution_x", type: "int32", required: true, eval: "C.scene.render.resolution_x",
          propargs: { min: 4, max: 65536 }, description: "Image width in pixels, before the render scale" },
        { key: "resolution_y", type: "int32", required: true, eval: "C.scene.render.resolution_y",
          propargs: { min: 4, max: 65536 }, description: "Image height in pixels, before the render scale" },
        { key: "resolution_scale", type: "int32", required: true, default: 100,
          eval: "C.scene.render.resolution_percentage", propargs: { min: 1, max: 1000 },
          description: "Render scale in percent" },
        { key: "tile_size_x", type: "int32", default: 256, propargs: { min: 16, max: 16384 },
          description: "Tile width in pixels (the last column may be narrower)" },
        { key: "tile_size_y", type: "int32", default: 256, propargs: { min: 16, max: 16384 },
          description: "Tile height in pixels (the last row may be lower)" },
        { key: "overscan", type: "int32", default: 16, propargs: { min: 0, max: 256 },
          description: "Pixels rendered beyond each tile's edges, for seam checks and filters that reach across them" },
        { key: "denoise", type: "bool", default: false,
          description: "Render the tiles noisy with Cycles' denoising data, and denoise the merged frame once (no seams)" },
        { key: "render_output_root", type: "string", subtype: "dir_path", required: true, visible: "submission",
          description: "Base directory of where render output is stored. Will have some job-specific parts appended to it" },
        { key: "add_path_components", type: "int32", required: true, default: 0, propargs: { min: 0, max: 32 },
          visible: "submission",
          description: "Number of path components of the current blend file to use in the render output path" },
        { key: "render_output_path", type: "string", subtype: "file_path", editable: false,
          eval: "str(Path(abspath(settings.render_output_root), last_n_dir_parts(settings.add_path_components), jobname, '{timestamp}', 'tiles'))",
          description: "Folder of the tiles; the merged image goes next to it" },
        { key: "blendfile", type: "string", required: true, visible: "web",
          description: "Path of the Blend file to render" },
    ],
};

function compileJob(job) {
    const settings = job.settings;
    const tilesDir = renderOutputPath(job);
    settings.render_output_path = tilesDir;
    const jobDir = path.dirname(tilesDir);

    const size = scaledSize(settings);
    const tileSize = [whole(settings, "tile_size_x", 1), whole(settings, "tile_size_y", 1)];
    const overscan = whole(settings, "overscan", 0);
    const frame = whole(settings, "frame", -1048574);
    if (!settings.blendfile) {
        throw "no blendfile setting!";
    }
    const tiles = tileGrid(size, tileSize);
    if (tiles.length > 10000) {
        throw `${tiles.length} tiles are too many; make the tiles larger`;
    }

    const renders = tiles.map((tile) => {
        const task = author.Task(`render-${tile[0]}-${tile[1]}`, "blender");
        task.addCommand(author.Command("blender-render", {
            exe: "{blender}",
            exeArgs: "{blenderArgs}",
            // Blender exits 0 after a Python error: the task would pass without its tile.
            argsBefore: ["--python-exit-code", "1"],
            blendfile: settings.blendfile,
            args: ["--python-expr", tilePython({
                kind: "tile",
                output: path.join(tilesDir, `${tile.join("-")}.exr`),
                frame: frame,
                resolution: [settings.resolution_x, settings.resolution_y],
                percentage: settings.resolution_scale,
                size: size,
                tile_size: tileSize,
                overscan: overscan,
                tile: tile,
                border: border(tile, size, overscan),
                denoise_after_merge: Boolean(settings.denoise),
            })],
        }, 1));
        job.addTask(task);
        return task;
    });

    const merge = author.Task("merge", "misc");
    const noisy = path.join(jobDir, settings.denoise ? "merged-noisy.exr" : "merged.exr");
    const preview = path.join(jobDir, "merged.png");
    merge.addCommand(author.Command("exec", {
        exe: TILEMERGE,
        args: ["merge", tilesDir,
               "--size", `${size[0]}x${size[1]}`, "--tile", `${tileSize[0]}x${tileSize[1]}`,
               "--overscan", String(overscan), "--output", noisy, "--png", preview],
    }, 1));
    if (settings.denoise) {
        merge.addCommand(author.Command("blender-render", {
            exe: "{blender}",
            exeArgs: "{blenderArgs}",
            // Without an exit code Blender exits 0 after a Python error, and the noisy preview
            // would pass for the denoised one.
            argsBefore: ["--factory-startup", "--python-exit-code", "1"],
            args: ["--python-expr", denoisePython({
                kind: "denoise",
                input: noisy,
                output: path.join(jobDir, "merged.exr"),
                preview: preview,
            })],
        }, 1));
    }
    // A Worker uploads the file named on a `Saved: '...'` line of Blender's output as the job's
    // last-rendered image: this makes the merged preview that image.
    merge.addCommand(author.Command("blender-render", {
        exe: "{blender}",
        exeArgs: "{blenderArgs}",
        argsBefore: ["--factory-startup"],
        args: ["--python-expr", announcePython({ kind: "last-rendered", image: preview })],
    }, 1));
    for (const render of renders) {
        merge.addDependency(render);
    }
    job.addTask(merge);
}

// The render output path with `{timestamp}` filled in, as the published job types do.
function renderOutputPath(job) {
    const template = job.settings.render_output_path;
    if (!template) {
        throw "no render_output_path setting!";
    }
    return template.replace(/{([^}]+)}/g, (match, name) => (name === "timestamp" ? formatTimestampLocal(job.created) : match));
}

// A setting that must be a whole number of at least `min`.
function whole(settings, key, min) {
    const value = settings[key];
    if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
        throw `setting ${key} must be a whole number of at least ${min}, not ${JSON.stringify(value)}`;
    }
    return value;
}

// The image size Blender renders: the resolution times the render scale, rounded down.
function scaledSize(settings) {
    const scale = whole(settings, "resolution_scale", 1);
    const size = [whole(settings, "resolution_x", 4), whole(settings, "resolution_y", 4)]
        .map((side) => Math.floor((side * scale) / 100));
    if (size[0] < 4 || size[1] < 4 || size[0] * size[1] > 1073741824) {
        throw `an image of ${size[0]}x${size[1]} pixels cannot be rendered in tiles`;
    }
    return size;
}

// Tiles [x0, y0, x1, y1] in a grid from (0, 0), Y counted from the bottom as Blender's border is.
function tileGrid(size, tileSize) {
    const tiles = [];
    for (let y0 = 0; y0 < size[1]; y0 += tileSize[1]) {
        for (let x0 = 0; x0 < size[0]; x0 += tileSize[0]) {
            tiles.push([x0, y0, Math.min(x0 + tileSize[0], size[0]), Math.min(y0 + tileSize[1], size[1])]);
        }
    }
    return tiles;
}

// Blender's render border of a tile with its overscan, clamped at every image edge, as fractions
// of the image [min_x, max_x, min_y, max_y]. Blender turns them into pixels itself.
function border(tile, size, overscan) {
    const [x0, y0, x1, y1] = tile;
    return [
        Math.max(x0 - overscan, 0) / size[0],
        Math.min(x1 + overscan, size[0]) / size[0],
        Math.max(y0 - overscan, 0) / size[1],
        Math.min(y1 + overscan, size[1]) / size[1],
    ];
}

// A Python string literal holding the job's settings as JSON; the Python reads it back with
// `job = json.loads('...')` (and so does simfarm, the stand-in Manager).
function pythonJob(settings) {
    return "job = json.loads('" + JSON.stringify(settings).replace(/\\/g, "\\\\").replace(/'/g, "\\'") + "')";
}

// ---- Python run by Blender on the workers ----

function tilePython(settings) {
    return [
        "import bpy, json, os",
        pythonJob(settings),
        "scene = bpy.context.scene",
        "scene.frame_set(job['frame'])",
        "render = scene.render",
        "render.resolution_x, render.resolution_y = job['resolution']",
        "render.resolution_percentage = job['percentage']",
        "render.use_border = True",
        "render.use_crop_to_border = True",
        "render.border_min_x, render.border_max_x, render.border_min_y, render.border_max_y = job['border']",
        "render.image_settings.file_format = 'OPEN_EXR_MULTILAYER'",
        "if job['denoise_after_merge']:",
        "    scene.cycles.use_denoising = False",
        // The denoiser must get the floats Cycles would hand it: half floats or a lossy codec
        // in the tiles change the denoised pixels.
        "    render.image_settings.color_depth = '32'",
        "    if render.image_settings.exr_codec not in ('NONE', 'RLE', 'ZIPS', 'ZIP', 'PIZ'):",
        "        render.image_settings.exr_codec = 'ZIP'",
        "    for layer in scene.view_layers:",
        "        layer.cycles.denoising_store_passes = True",
        // A still is written to the very path given (no frame number, no extension added); a
        // task killed while writing leaves no half-written file under the tile's name.
        "render.use_file_extension = False",
        "render.filepath = job['output'] + '.part'",
        "bpy.ops.render.render(write_still=True)",
        "os.replace(job['output'] + '.part', job['output'])",
    ].join("\n");
}

function denoisePython(settings) {
    // Denoises the merged noisy frame once, in the compositor: the Denoise node (OIDN, accurate
    // prefilter, HDR) fed Combined + Denoising Normal + Denoising Albedo gives the very pixels of
    // Cycles' own full-frame denoise (OIDN, accurate prefilter, high quality), bit for bit on
    // Blender 4.2 without adaptive sampling (scripts/denoise-check; with it, up to 2.4e-7 off
    // even on a whole frame). The other passes are written through with their values unchanged,
    // though the File Output node names channels its own way (a normal's X Y Z become R G B A,
    // colours gain an A, a depth's Z becomes V).
    return [
        "import bpy, glob, json, os, struct, tempfile",
        pythonJob(settings),
        "def fail(message):",
        "    raise SystemExit('denoise: ' + message)",
        "def setting(node, attribute, socket, value):",
        // Blender 5 turned some node options into input sockets.
        "    if hasattr(node, attribute):",
        "        setattr(node, attribute, value)",
        "    elif socket in node.inputs:",
        "        node.inputs[socket].default_value = value.title() if isinstance(value, str) else value",
        "    else:",
        "        fail('this Blender has no %s on the %s node' % (socket, node.bl_idname))",
        // bpy cannot tell a multilayer image's size: the header can.
        "try:",
        "    with open(job['input'], 'rb') as f:",
        "        head = f.read(1 << 20)",
        "except OSError as e:",
        "    fail('cannot read the merged frame: %s' % e)",
        "key = b'dataWindow\\x00box2i\\x00'",
        "if not head.startswith(b'\\x76\\x2f\\x31\\x01') or key not in head:",
        "    fail('%s is not an OpenEXR file' % job['input'])",
        "x0, y0, x1, y1 = struct.unpack_from('<4i', head, head.index(key) + len(key) + 4)",
        "scene = bpy.context.scene",
        "render = scene.render",
        "render.resolution_x, render.resolution_y, render.resolution_percentage = x1 - x0 + 1, y1 - y0 + 1, 100",
        "render.use_border = False",
        "render.use_compositing = True",
        "render.use_sequencer = False",
        "image = bpy.data.images.load(job['input'])",
        "if hasattr(scene, 'compositing_node_group'):",
        "    tree = bpy.data.node_groups.new('Denoise', 'CompositorNodeTree')",
        "    scene.compositing_node_group = tree",
        "else:",
        "    scene.use_nodes = True",
        "    tree = scene.node_tree",
        "    tree.nodes.clear()",
        "source = tree.nodes.new('CompositorNodeImage')",
        "source.image = image",
        "passes = {o.name: o for o in source.outputs if o.enabled and o.name != 'Alpha'}",
        "missing = [p for p in ('Combined', 'Denoising Normal', 'Denoising Albedo') if p not in passes]",
        "if missing:",
        "    fail('%s has no %s pass: render the tiles with the denoise setting on' % (job['input'], ', '.join(missing)))",
        "denoise = tree.nodes.new('CompositorNodeDenoise')",
        "setting(denoise, 'prefilter', 'Prefilter', 'ACCURATE')",
        "setting(denoise, 'use_hdr', 'HDR', True)",
        // Blender 4.4+ has a quality: Cycles denoises at high quality unless told otherwise.
        "if hasattr(denoise, 'quality'):",
        "    denoise.quality = 'HIGH'",
        "tree.links.new(passes['Combined'], denoise.inputs['Image'])",
        "tree.links.new(passes['Denoising Normal'], denoise.inputs['Normal'])",
        "tree.links.new(passes['Denoising Albedo'], denoise.inputs['Albedo'])",
        // The File Output node numbers its file by frame: it writes into a folder of its own
        // beside the output, and the one file it writes is moved into place.
        "folder = tempfile.mkdtemp(prefix='.denoise-', dir=os.path.dirname(os.path.abspath(job['output'])))",
        "out = tree.nodes.new('CompositorNodeOutputFile')",
        "out.format.file_format = 'OPEN_EXR_MULTILAYER'",
        "out.format.color_depth = '32'",
        "out.format.exr_codec = 'ZIP'",
        "layer = source.layer or 'ViewLayer'",
        "if hasattr(out, 'file_output_items'):",
        "    out.directory, out.file_name = folder, 'denoised'",
        "    out.file_output_items.clear()",
        "else:",
        "    out.base_path = os.path.join(folder, 'denoised')",
        "    out.layer_slots.clear()",
        "for name, socket in passes.items():",
        "    slot = layer + '.' + name",
        "    if hasattr(out, 'file_output_items'):",
        "        out.file_output_items.new('FLOAT' if socket.type == 'VALUE' else socket.type, slot)",
        "        target = out.inputs[slot]",
        "    else:",
        "        out.layer_slots.new(slot)",
        "        target = out.inputs[-1]",
        "    tree.links.new(denoise.outputs['Image'] if name == 'Combined' else socket, target)",
        // The preview as tilemerge writes it: plain sRGB, no view transform, no dither.
        "if hasattr(scene, 'compositing_node_group'):",
        "    tree.interface.new_socket('Image', in_out='OUTPUT', socket_type='NodeSocketColor')",
        "    composite = tree.nodes.new('NodeGroupOutput')",
        "else:",
        "    composite = tree.nodes.new('CompositorNodeComposite')",
        "tree.links.new(denoise.outputs['Image'], composite.inputs[0])",
        "scene.display_settings.display_device = 'sRGB'",
        "scene.view_settings.view_transform = 'Standard'",
        "scene.view_settings.look = 'None'",
        "scene.view_settings.exposure = 0.0",
        "scene.view_settings.gamma = 1.0",
        "scene.view_settings.use_curve_mapping = False",
        "render.dither_intensity = 0.0",
        "render.image_settings.file_format = 'PNG'",
        "render.image_settings.color_mode = 'RGBA'",
        "render.image_settings.color_depth = '8'",
        "render.use_file_extension = False",
        "render.filepath = job['preview']",
        "bpy.ops.render.render(write_still=True)",
        "written = glob.glob(os.path.join(folder, '*'))",
        "if len(written) != 1:",
        "    fail('the File Output node wrote %d files, not 1: %s' % (len(written), written))",
        "os.replace(written[0], job['output'])",
        "os.rmdir(folder)",
        "print(\"Denoised: '%s'\" % job['output'])",
    ].join("\n");
}

function announcePython(settings) {
    return ["import json", pythonJob(settings), "print(\"Saved: '%s'\" % job['image'])"].join("\n");
}

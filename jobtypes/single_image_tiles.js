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
            argsBefore: [],
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
            argsBefore: ["--factory-startup"],
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
        "render.use_file_extension = True",
        "if job['denoise_after_merge']:",
        "    scene.cycles.use_denoising = False",
        "    for layer in scene.view_layers:",
        "        layer.cycles.denoising_store_passes = True",
        "render.filepath = os.path.splitext(job['output'])[0] + '_'",
        "bpy.ops.render.render(write_still=True)",
        "os.replace(render.frame_path(frame=job['frame']), job['output'])",
    ].join("\n");
}

function denoisePython(settings) {
    return [
        "import bpy, json",
        pythonJob(settings),
        "raise RuntimeError('denoising after the merge is not written yet')",
    ].join("\n");
}

function announcePython(settings) {
    return ["import json", pythonJob(settings), "print(\"Saved: '%s'\" % job['image'])"].join("\n");
}

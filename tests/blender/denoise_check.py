"""Denoising after the merge, with real Blender (the `bpy` module): does a `single-image-tiles` job
with `denoise: true` give the pixels of Cycles' own full-frame denoise?

Run by scripts/denoise-check inside a venv holding bpy. It submits the job to simfarm (the stand-in
Manager) as the dashboard does, paused, fetches the compiled tasks and carries out their commands
as a Worker would: `blender-render` by running the command's Python in bpy after opening the blend
file (factory settings when the command has none), `exec` of tilemerge by running tilemerge. Then
it renders the same scene whole with Cycles and compares real pixels.
"""

import argparse
import ast
import json
import math
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exr import ExrError, read_exr  # noqa: E402

try:
    import bpy
except ImportError as error:
    sys.exit(f"denoise-check: cannot import bpy ({error}): run it through scripts/denoise-check")

JOB_TYPE = "single-image-tiles"


class CheckFailed(Exception):
    pass


def say(message):
    print(message, flush=True)


class Stopwatch:
    """Times the stages; the summary lists them in order."""

    def __init__(self):
        self.stages = []

    def stage(self, name):
        watch = self

        class Stage:
            def __enter__(self):
                self.start = time.monotonic()

            def __exit__(self, *exc):
                watch.stages.append((name, time.monotonic() - self.start))

        return Stage()


class BlenderLog:
    """Sends Blender's render progress (printed by C, past sys.stdout) to a log file."""

    def __init__(self, path):
        self.path = path

    def __enter__(self):
        sys.stdout.flush()
        self.saved = os.dup(1)
        self.log = open(self.path, "a")
        os.dup2(self.log.fileno(), 1)

    def __exit__(self, *exc):
        sys.stdout.flush()
        os.dup2(self.saved, 1)
        os.close(self.saved)
        self.log.close()


def make_scene(blend_path, width, height, samples, adaptive):
    """A small Cycles scene: coloured objects on a floor under an area light, fixed seed, by
    default no adaptive sampling (it makes border renders differ from the whole frame), and
    Cycles' denoiser as the job type's denoise reproduces it: OIDN on the CPU, accurate prefilter."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    scene.render.engine = "CYCLES"
    cycles = scene.cycles
    cycles.device = "CPU"
    cycles.samples = samples
    cycles.use_adaptive_sampling = adaptive
    cycles.seed = 7
    cycles.use_animated_seed = False
    cycles.use_denoising = True
    cycles.denoiser = "OPENIMAGEDENOISE"
    cycles.denoising_prefilter = "ACCURATE"
    cycles.denoising_input_passes = "RGB_ALBEDO_NORMAL"
    cycles.denoising_quality = "HIGH"
    cycles.denoising_use_gpu = False
    scene.render.resolution_x, scene.render.resolution_y = width, height
    scene.render.resolution_percentage = 100
    scene.frame_current = 1

    world = bpy.data.worlds.new("World")
    scene.world = world
    world.use_nodes = True
    world.node_tree.nodes["Background"].inputs["Color"].default_value = (0.05, 0.06, 0.08, 1)

    def material(name, colour, roughness, metallic=0.0):
        mat = bpy.data.materials.new(name)
        mat.use_nodes = True
        bsdf = mat.node_tree.nodes["Principled BSDF"]
        bsdf.inputs["Base Color"].default_value = colour
        bsdf.inputs["Roughness"].default_value = roughness
        bsdf.inputs["Metallic"].default_value = metallic
        bpy.context.object.data.materials.append(mat)

    bpy.ops.mesh.primitive_plane_add(size=20)
    material("floor", (0.6, 0.6, 0.55, 1), 0.8)
    bpy.ops.mesh.primitive_uv_sphere_add(radius=1, location=(-1.5, 0, 1))
    bpy.ops.object.shade_smooth()
    material("red", (0.8, 0.1, 0.08, 1), 0.3)
    bpy.ops.mesh.primitive_cube_add(size=1.4, location=(1.3, 0.8, 0.7), rotation=(0, 0, 0.6))
    material("blue metal", (0.1, 0.2, 0.8, 1), 0.2, 0.8)
    bpy.ops.mesh.primitive_monkey_add(size=1.2, location=(0.2, -1.6, 0.8), rotation=(0, 0, -0.4))
    material("green", (0.2, 0.7, 0.2, 1), 0.6)
    bpy.ops.object.light_add(type="AREA", location=(2, -3, 5), rotation=(math.radians(30), math.radians(15), 0))
    bpy.context.object.data.energy = 800
    bpy.context.object.data.size = 2
    bpy.ops.object.camera_add(location=(7, -7, 5), rotation=(math.radians(63), 0, math.radians(45)))
    scene.camera = bpy.context.object
    bpy.ops.wm.save_as_mainfile(filepath=blend_path)


# ---- the Manager API, as the dashboard uses it ----

def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def api(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as error:
        raise CheckFailed(f"{method} {path} answered {error.code}: {error.read().decode(errors='replace')}")


def wait_for_manager(base, process):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CheckFailed(f"simfarm exited with status {process.returncode} before answering")
        try:
            return api(base, "GET", "/api/v3/version")
        except (urllib.error.URLError, ConnectionError, CheckFailed):
            time.sleep(0.2)
    raise CheckFailed("simfarm did not answer within 30 s")


def submit(base, blend_path, output_root, width, height, tile, overscan):
    job_type = api(base, "GET", f"/api/v3/jobs/type/{JOB_TYPE}")
    keys = {setting["key"] for setting in job_type["settings"]}
    name = "denoise-check"
    settings = {
        "frame": 1,
        "resolution_x": width,
        "resolution_y": height,
        "resolution_scale": 100,
        "tile_size_x": tile,
        "tile_size_y": tile,
        "overscan": overscan,
        "denoise": True,
        "render_output_root": output_root,
        "add_path_components": 0,
        # What the setting's eval gives, as the dashboard sends it.
        "render_output_path": os.path.join(output_root, name, "{timestamp}", "tiles"),
        "blendfile": blend_path,
    }
    unknown = set(settings) - keys
    if unknown:
        raise CheckFailed(f"the job type has no settings {sorted(unknown)}: is --scripts jobtypes the right folder?")
    job = api(base, "POST", "/api/v3/jobs", {
        "name": name,
        "type": JOB_TYPE,
        "type_etag": job_type["etag"],
        "priority": 50,
        "settings": settings,
        "submitter_platform": "manager",
        "initial_status": "paused",
    })
    tasks = api(base, "GET", f"/api/v3/jobs/{job['id']}/tasks")["tasks"]
    return job, [api(base, "GET", f"/api/v3/tasks/{task['id']}") for task in tasks]


# ---- a Worker ----

def python_of(parameters, task_name):
    args = parameters.get("args") or []
    if "--python-expr" not in args or args.index("--python-expr") + 1 >= len(args):
        raise CheckFailed(f"task {task_name}: a blender-render command without --python-expr: {args}")
    return args[args.index("--python-expr") + 1]


def run_blender(parameters, task_name, log_path):
    """What `blender [argsBefore] [blendfile] --python-expr ...` does, in this process's bpy."""
    code = python_of(parameters, task_name)
    blendfile = parameters.get("blendfile")
    with BlenderLog(log_path):
        if blendfile:
            bpy.ops.wm.open_mainfile(filepath=blendfile)
        else:
            bpy.ops.wm.read_factory_settings(use_empty=True)
        try:
            exec(compile(code, f"<{task_name}>", "exec"), {"__name__": "__main__"})
        except SystemExit as error:
            failure = f"exited: {error.code}"
        except Exception as error:  # the command's Python failing fails the task, as --python-exit-code would
            failure = f"{type(error).__name__}: {error}"
        else:
            failure = None
    if failure:
        raise CheckFailed(f"task {task_name}: its Python failed ({failure}); Blender's output is in {log_path}")


def run_exec(parameters, task_name, tilemerge, log_path):
    exe = parameters.get("exe")
    if exe != "tilemerge":
        raise CheckFailed(f"task {task_name}: exec of {exe!r}, only tilemerge is expected")
    with open(log_path, "a") as log:
        done = subprocess.run([tilemerge, *parameters.get("args", [])], stdout=log, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise CheckFailed(f"task {task_name}: tilemerge exited with {done.returncode}; see {log_path}")


def work(tasks, tilemerge, log_path, watch):
    """Every task once its dependencies are done, its commands in order."""
    done = set()
    pending = list(tasks)
    while pending:
        ready = [t for t in pending if all(d["id"] in done for d in t.get("dependencies") or [])]
        if not ready:
            raise CheckFailed(f"tasks {[t['name'] for t in pending]} wait on each other")
        task = ready[0]
        for command in task["commands"]:
            kind = command["name"]
            label = task["name"] if kind == "exec" or task["name"].startswith("render-") else f"{task['name']}: {kind} {python_kind(command)}"
            with watch.stage(label):
                if kind == "blender-render":
                    run_blender(command["parameters"], task["name"], log_path)
                elif kind == "exec":
                    run_exec(command["parameters"], task["name"], tilemerge, log_path)
                else:
                    raise CheckFailed(f"task {task['name']}: unexpected command {kind}")
        done.add(task["id"])
        pending.remove(task)


def job_of(code):
    """The settings a command's Python carries on its `job = json.loads('...')` line."""
    for line in code.splitlines():
        if line.startswith("job = json.loads(") and line.endswith(")"):
            return json.loads(ast.literal_eval(line[len("job = json.loads("):-1]))
    raise CheckFailed(f"a command's Python has no job = json.loads('...') line:\n{code[:300]}")


def python_kind(command):
    return "(" + str(job_of(python_of(command["parameters"], "?")).get("kind")) + ")"


# ---- the reference: the same scene rendered whole ----

def render_full(blend_path, output, denoise, log_path):
    with BlenderLog(log_path):
        bpy.ops.wm.open_mainfile(filepath=blend_path)
        scene = bpy.context.scene
        scene.cycles.use_denoising = denoise
        if not denoise:
            # The tiles' set-up: noisy, with the denoiser's inputs as passes.
            for layer in scene.view_layers:
                layer.cycles.denoising_store_passes = True
        settings = scene.render.image_settings
        settings.file_format = "OPEN_EXR_MULTILAYER"
        settings.color_depth = "32"
        settings.exr_codec = "ZIP"
        scene.render.use_file_extension = False
        scene.render.filepath = output
        bpy.ops.render.render(write_still=True)


def compare(name, ours, reference, channels):
    """Max abs difference and differing pixels (any channel) of `channels` in both files."""
    differing = None
    worst = 0.0
    for channel in channels:
        if channel not in ours:
            raise CheckFailed(f"{name}: channel {channel} is missing (it has {sorted(ours)})")
        a, b = ours[channel], reference[channel]
        if a.shape != b.shape:
            raise CheckFailed(f"{name}: {channel} is {a.shape[1]}x{a.shape[0]}, the reference {b.shape[1]}x{b.shape[0]}")
        unequal = a.view(np.uint32) != b.view(np.uint32)
        differing = unequal if differing is None else differing | unequal
        worst = max(worst, float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)))))
    count = int(differing.sum())
    say(f"  {name} ({len(channels)} channels): max abs difference {worst:.9g}, "
        f"{count} of {differing.size} pixels differ")
    return worst, count


def passed_through(merged, denoised):
    """For each pass but Combined: its channels in the merged file, by the names the denoised
    file gives them (Blender's File Output writes X Y Z as R G B and a lone channel as V)."""
    passes = {}
    for channel in merged:
        layer_pass, _, component = channel.rpartition(".")
        if not layer_pass.endswith(".Combined"):
            passes.setdefault(layer_pass, []).append(component)
    found = {}
    for layer_pass, components in sorted(passes.items()):
        names = {c: c for c in components}
        if f"{layer_pass}.{components[0]}" not in denoised:
            names = ({"X": "R", "Y": "G", "Z": "B"} if set(components) == {"X", "Y", "Z"}
                     else {components[0]: "V"} if len(components) == 1 else names)
        found[layer_pass.split(".", 1)[1]] = {f"{layer_pass}.{c}": f"{layer_pass}.{n}" for c, n in names.items()}
    return found


def rename(channels, renamed):
    """The channels of `renamed`'s values under its keys' names."""
    try:
        return {ours: channels[theirs] for ours, theirs in renamed.items()}
    except KeyError as missing:
        raise CheckFailed(f"the denoised file has no channel {missing} (it has {sorted(channels)})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True, help="folder for the scene, the farm's output and the renders")
    parser.add_argument("--simfarm", required=True)
    parser.add_argument("--tilemerge", required=True)
    parser.add_argument("--scripts", required=True, help="the job-type scripts folder")
    parser.add_argument("--size", default="160x96")
    parser.add_argument("--tile", type=int, default=64)
    parser.add_argument("--overscan", type=int, default=16)
    parser.add_argument("--samples", type=int, default=16)
    parser.add_argument("--adaptive-sampling", action="store_true",
                        help="render with adaptive sampling (the merge is then not expected to be exact)")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    work_dir = os.path.abspath(args.work)
    os.makedirs(work_dir, exist_ok=True)
    log_path = os.path.join(work_dir, "blender.log")
    watch = Stopwatch()
    say(f"bpy {bpy.app.version_string}; scene {width}x{height}, {args.samples} samples, tiles {args.tile}x{args.tile}, "
        f"overscan {args.overscan}{', adaptive sampling' if args.adaptive_sampling else ''}; Blender's output goes to {log_path}")

    blend = os.path.join(work_dir, "scene.blend")
    with watch.stage("scene"), BlenderLog(log_path):
        make_scene(blend, width, height, args.samples, args.adaptive_sampling)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    farm_log = open(os.path.join(work_dir, "simfarm.log"), "w")
    farm = subprocess.Popen([args.simfarm, "--listen", f"127.0.0.1:{port}", "--scripts", args.scripts,
                             "--render-root", os.path.join(work_dir, "farm-root"), "--failure-rate", "0",
                             "--tilemerge", args.tilemerge],
                            stdout=farm_log, stderr=subprocess.STDOUT)
    try:
        with watch.stage("simfarm: start, submit, fetch the tasks"):
            wait_for_manager(base, farm)
            job, tasks = submit(base, blend, os.path.join(work_dir, "output"), width, height, args.tile, args.overscan)
    finally:
        farm.terminate()
        farm.wait(timeout=10)
        farm_log.close()
    say(f"job {job['id']}: {len(tasks)} tasks ({', '.join(t['name'] for t in tasks)})")

    work(tasks, args.tilemerge, log_path, watch)
    merge = next(t for t in tasks if t["name"] == "merge")
    tilemerge_args = next(c for c in merge["commands"] if c["name"] == "exec")["parameters"]["args"]
    noisy_path = tilemerge_args[tilemerge_args.index("--output") + 1]
    denoise_job = next((job_of(python_of(c["parameters"], "merge")) for c in merge["commands"]
                        if c["name"] == "blender-render" and python_kind(c) == "(denoise)"), None)
    if denoise_job is None:
        raise CheckFailed("the merge task has no denoise command: is the denoise setting ignored?")
    denoised_path, preview = denoise_job["output"], denoise_job["preview"]

    full_noisy = os.path.join(work_dir, "full-noisy.exr")
    full_denoised = os.path.join(work_dir, "full-denoised.exr")
    with watch.stage("full frame, noisy with denoising data"):
        render_full(blend, full_noisy, False, log_path)
    with watch.stage("full frame, Cycles denoise"):
        render_full(blend, full_denoised, True, log_path)

    with watch.stage("compare"):
        try:
            merged_noisy, denoised = read_exr(noisy_path), read_exr(denoised_path)
            reference_noisy, reference = read_exr(full_noisy), read_exr(full_denoised)
        except (OSError, ExrError) as error:
            raise CheckFailed(f"cannot read an EXR: {error}")
        combined = [f"ViewLayer.Combined.{c}" for c in "RGBA"]
        say("merged noisy frame vs full-frame noisy render:")
        results = [compare("Combined", merged_noisy, reference_noisy, combined)]
        for data_pass in ("Denoising Normal", "Denoising Albedo"):
            channels = sorted(c for c in reference_noisy if c.startswith(f"ViewLayer.{data_pass}."))
            results.append(compare(data_pass, merged_noisy, reference_noisy, channels))
        say("denoised merge vs Cycles' full-frame denoise:")
        results.append(compare("Combined", denoised, reference, combined))
        say("the other passes, written through by the denoise (File Output renames some channels):")
        for name, renamed in passed_through(merged_noisy, denoised).items():
            results.append(compare(name, rename(denoised, renamed), merged_noisy, sorted(renamed)))
        # The comparison means something only if denoising changed the pixels.
        change = max(float(np.max(np.abs(denoised[c] - merged_noisy[c]))) for c in combined[:3])
        say(f"  (the denoise changed the merged frame by up to {change:.6g}; preview {preview}: "
            f"{os.path.getsize(preview)} bytes)")
    say("times:")
    for name, seconds in watch.stages:
        say(f"  {seconds:7.2f} s  {name}")
    say(f"  {sum(s for _, s in watch.stages):7.2f} s  in all")
    if change == 0.0:
        raise CheckFailed("the denoised merge equals the noisy one: nothing was denoised")
    unequal = [r for r in results if r[1] != 0]
    if unequal:
        raise CheckFailed(f"{len(unequal)} comparison(s) are not bit for bit equal")
    say("denoise-check: the denoised merge equals Cycles' full-frame denoise bit for bit")


if __name__ == "__main__":
    try:
        main()
    except CheckFailed as failure:
        print(f"denoise-check: FAILED: {failure}", file=sys.stderr, flush=True)
        sys.exit(1)

// A job type that renders frames in chunks, then packs them.
const JOB_TYPE = {
    label: "API Tour",
    description: "Uses every part of the job-compiler API.",
    settings: [
        { key: "frames", type: "string", required: true, description: "Frames to render" },
        { key: "chunk_size", type: "int32", default: 2, propargs: {min: 1} },
        { key: "output", type: "string", subtype: "file_path", default: "/render/tour/{timestamp}/######" },
        { key: "blendfile", type: "string", required: true, visible: "web" },
    ],
};

function compileJob(job) {
    print("compiling", job.name, {priority: job.priority});
    const settings = job.settings;
    if (!settings.frames) {
        throw "no frames!";
    }
    const stamp = formatTimestampLocal(job.created);
    const output = settings.output.replace("{timestamp}", stamp);
    settings.output = output;
    const dir = path.dirname(output);
    job.metadata.compiled_on = process.platform;
    job.metadata.job = `${job.jobID} ${job.jobType}`;

    const renders = [];
    for (const chunk of frameChunker(settings.frames, settings.chunk_size)) {
        const task = author.Task(`render-${chunk}`, "blender");
        task.addCommand(author.Command("blender-render", {
            exe: "{blender}",
            blendfile: settings.blendfile,
            args: ["--render-output", path.join(dir, "..", path.basename(dir), "######"),
                   "--render-frame", chunk.replaceAll("-", "..")],
        }, chunk.split(",").length));
        job.addTask(task);
        renders.push(task);
    }
    const pack = author.Task("pack", "misc");
    pack.priority = job.priority + 25;
    pack.addCommand(author.Command("echo", {message: `packing ${path.stem(settings.blendfile)}`}));
    pack.addCommand(author.Command("sleep", {duration_in_seconds: 1}));
    for (const render of renders) {
        pack.addDependency(render);
    }
    job.addTask(pack);
    alert("done with", renders.length, "render tasks");
}

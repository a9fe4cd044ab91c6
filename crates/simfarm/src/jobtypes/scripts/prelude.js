// Flamenco's job-compiler API for job-type scripts, as the Manager's script runtime offers it:
// the globals `author`, `path`, `process`, `print`, `alert`, `frameChunker` and
// `formatTimestampLocal`. Evaluated before each script; `__native` is provided by simfarm and
// removed from the global scope here, so a script sees only what a Manager gives it.
(function (global) {
  "use strict";
  const native = global.__native;
  delete global.__native;

  // Errors that come from the Manager's Go code read `GoError: ...` in its messages.
  class GoError extends Error {
    constructor(message) {
      super(message);
      this.name = "GoError";
    }
  }

  // Go receives JavaScript values converted to its own types: `undefined` becomes "".
  const goString = (value) => (value === undefined || value === null ? "" : String(value));

  class AuthoredCommand {
    constructor(name, parameters, totalStepCount) {
      this.name = name;
      this.parameters = parameters;
      this.totalStepCount = totalStepCount;
    }
  }

  class AuthoredTask {
    constructor(name, type) {
      this.name = name;
      this.type = type;
      this.priority = 50;
      this.commands = [];
      this.dependencies = [];
    }
    addCommand(command) {
      if (!(command instanceof AuthoredCommand)) {
        throw new GoError("addCommand: expected a command made by author.Command");
      }
      this.commands.push(command);
    }
    addDependency(task) {
      if (!(task instanceof AuthoredTask)) {
        throw new GoError("addDependency: expected a task made by author.Task");
      }
      this.dependencies.push(task);
    }
  }

  class AuthoredJob {
    constructor(submitted, created) {
      this.jobID = submitted.id;
      this.name = submitted.name;
      this.jobType = submitted.type;
      this.priority = submitted.priority;
      this.created = created;
      this.settings = submitted.settings;
      this.metadata = submitted.metadata;
      this.tasks = [];
    }
    addTask(task) {
      if (!(task instanceof AuthoredTask)) {
        throw new GoError("addTask: expected a task made by author.Task");
      }
      this.tasks.push(task);
    }
  }

  const author = Object.freeze({
    Task: (name, type) => new AuthoredTask(goString(name), goString(type)),
    Command: (name, parameters, totalStepCount) =>
      new AuthoredCommand(goString(name), parameters === undefined ? {} : parameters, Number(totalStepCount) || 0),
  });

  const path = Object.freeze({
    basename: (p) => native.pathBasename(goString(p)),
    dirname: (p) => native.pathDirname(goString(p)),
    join: (...parts) => native.pathJoin(parts.map(goString)),
    stem: (p) => native.pathStem(goString(p)),
  });

  const process = Object.freeze({ platform: native.platform, cwd: () => native.cwd });

  const describe = (value) => {
    if (typeof value === "string") return value;
    try {
      return JSON.stringify(value) ?? String(value);
    } catch (_) {
      return String(value);
    }
  };

  function frameChunker(frameRange, chunkSize) {
    const answer = JSON.parse(native.frameChunker(goString(frameRange), Number(chunkSize)));
    if (answer.error !== undefined) throw new GoError(answer.error);
    return answer.chunks;
  }

  function formatTimestampLocal(timestamp) {
    if (!(timestamp instanceof Date)) {
      throw new GoError("formatTimestampLocal: expected a time such as job.created");
    }
    return native.formatTimestamp(timestamp.getTime());
  }

  // Where the last `throw` statement ran: a thrown string carries no stack of its own, but the
  // Manager reports where it was thrown. simfarm rewrites each `throw x` into
  // `throw __farmdeck_throw_site(), x`.
  let lastThrowSite = null;
  function throwSite() {
    lastThrowSite = new Error().stack;
  }

  // The job as the Manager stores it: tasks in the order they were added, dependencies as
  // indices into that order.
  function stored(job) {
    const index = new Map(job.tasks.map((task, i) => [task, i]));
    return {
      settings: job.settings,
      metadata: job.metadata,
      tasks: job.tasks.map((task) => ({
        name: goString(task.name),
        type: goString(task.type),
        priority: Number(task.priority),
        commands: task.commands.map((command) => ({
          name: command.name,
          parameters: command.parameters,
          total_step_count: command.totalStepCount,
        })),
        dependencies: task.dependencies.map((dependency) => {
          const at = index.get(dependency);
          if (at === undefined) {
            throw new GoError(`task "${task.name}" depends on task "${dependency.name}", which is not in the job`);
          }
          return at;
        }),
      })),
    };
  }

  function failure(error) {
    const isError = error instanceof Error;
    return JSON.stringify({
      error: {
        message: String(error),
        stack: isError ? String(error.stack || "") : String(lastThrowSite || ""),
      },
    });
  }

  global.__farmdeck_throw_site = throwSite;
  global.__farmdeck = Object.freeze({
    jobType() {
      try {
        return JSON.stringify({ ok: global.eval("JOB_TYPE") });
      } catch (error) {
        return failure(error);
      }
    },
    compile(submittedJson, createdMillis) {
      try {
        const job = new AuthoredJob(JSON.parse(submittedJson), new Date(createdMillis));
        const compileJob = global.eval("compileJob");
        if (typeof compileJob !== "function") throw new GoError("job compiler script incomplete");
        compileJob(job);
        return JSON.stringify({ ok: stored(job) });
      } catch (error) {
        return failure(error);
      }
    },
  });

  Object.assign(global, {
    author,
    path,
    process,
    frameChunker,
    formatTimestampLocal,
    print: (...args) => native.print(args.map(describe).join(" ")),
    alert: (...args) => native.print(args.map(describe).join(" ")),
  });
})(globalThis);

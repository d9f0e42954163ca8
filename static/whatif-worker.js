// The What-if panel's worker (src/ui/whatif_worker.rs): runs the page's own WebAssembly module off
// the main thread, so the animation never waits for a sweep. The page sends the address of the
// module's glue, the compiled module (nothing is fetched or compiled again) and the request as
// JSON; the worker posts each JSON reply the module gives, the progress ones and the last.
self.onmessage = async ({ data }) => {
  try {
    const glue = await import(data.glue);
    await glue.default({ module_or_path: data.module });
    self.postMessage(glue.whatif_run(data.request, (reply) => self.postMessage(reply)));
  } catch (error) {
    self.postMessage(JSON.stringify({ Failed: `the worker could not run it (${error})` }));
  }
};

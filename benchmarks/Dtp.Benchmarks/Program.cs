using Dtp.Benchmarks;

return await BenchmarkRunner.RunAsync(args).ConfigureAwait(false);

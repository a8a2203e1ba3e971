namespace Dtp.Download;

/// <summary>Counts a download's files and bytes across parallel transfers and reports <see cref="DownloadProgress"/>.</summary>
internal sealed class TransferMeter(int filesTotal, long bytesTotal, TimeProvider time, IProgress<DownloadProgress>? progress)
{
    private readonly long started = time.GetTimestamp();
    private int filesDone;
    private long bytesDone;
    private long bytesReceived;

    public void Received(int bytes)
    {
        Interlocked.Add(ref bytesDone, bytes);
        Interlocked.Add(ref bytesReceived, bytes);
        Report(null);
    }

    public void Skipped(long bytes) => Interlocked.Add(ref bytesDone, bytes);

    public void FileDone(string file)
    {
        Interlocked.Increment(ref filesDone);
        Report(file);
    }

    private void Report(string? file)
    {
        if (progress is null)
        {
            return;
        }

        var seconds = time.GetElapsedTime(started).TotalSeconds;
        var received = Interlocked.Read(ref bytesReceived);
        var done = Interlocked.Read(ref bytesDone);
        var rate = seconds > 0 ? received / seconds : 0;
        TimeSpan? remaining = rate > 0 ? TimeSpan.FromSeconds(Math.Max(0, bytesTotal - done) / rate) : null;
        progress.Report(new DownloadProgress(Volatile.Read(ref filesDone), filesTotal, done, bytesTotal, rate, remaining, file));
    }
}

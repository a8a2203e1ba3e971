using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Dtp.Testing.Orthanc;
using Dtp.Tests.Infrastructure;

namespace Dtp.Tests.Pacs;

[Collection(OrthancTests.Name)]
public sealed class OrthancServerTests(OrthancFixture orthanc)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StartAsync_Default_RequiresCredentialsAndLoadsDicomWeb()
    {
        var server = orthanc.Server;
        using var anonymous = new HttpClient { BaseAddress = server.BaseAddress };
        using var http = server.CreateClient();

        using var refused = await anonymous.GetAsync(new Uri("system", UriKind.Relative), Ct);
        var plugins = await http.GetFromJsonAsync<string[]>(new Uri("plugins", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("dicom-web", plugins!);
        Assert.Null(server.DicomPort);
    }

    [Fact]
    public async Task StartAsync_WithDicom_ListensAndKnowsTheModalities()
    {
        var options = new OrthancServerOptions { EnableDicom = true, DicomAet = "DTPSCP" };
        options.DicomModalities["client"] = ("DTPCLIENT", "127.0.0.1", 11112);
        var server = await Requirements.RunAsync(() => OrthancServer.StartAsync(options, Ct));
        var folder = server.Folder;
        await using (server)
        {
            using var http = server.CreateClient();
            using var tcp = new TcpClient();

            await tcp.ConnectAsync(IPAddress.Loopback, server.DicomPort!.Value, Ct);
            var modalities = await http.GetFromJsonAsync<string[]>(new Uri("modalities", UriKind.Relative), Ct);
            var system = await http.GetFromJsonAsync<JsonElement>(new Uri("system", UriKind.Relative), Ct);

            Assert.Equal(["client"], modalities!);
            Assert.Equal("DTPSCP", system.GetProperty("DicomAet").GetString());
        }

        Assert.False(Directory.Exists(folder));
        using var after = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => after.GetAsync(server.BaseAddress, Ct));
    }
}

using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Dtp.Testing.Irods;

/// <summary>
/// An iRODS server for tests: the native protocol with XML packing on 127.0.0.1, a zone backed by a folder, native and PAM
/// authentication, optional TLS, GenQuery with paging, open/read/write/seek/close, checksums and collection management,
/// answering with iRODS's own error codes. Written from the protocol description, independently of dtp's client.
/// </summary>
public sealed partial class IrodsTestServer : IAsyncDisposable
{
    private const int MaxSqlAttributes = 50;
    private readonly TcpListener listener;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task acceptLoop;
    private readonly bool ownsRoot;
    private readonly ConcurrentDictionary<string, string> checksums = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> ids = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HashSet<string>> pamIssued = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<CapturedMessage> captured = new();
    private readonly ConcurrentBag<(string Collection, string Name)> phantoms = [];
    private readonly ConcurrentBag<Task> sessions = [];
    private long nextId = 10000;
    private int connectionCount;

    private IrodsTestServer(IrodsTestServerOptions options)
    {
        Options = options;
        ownsRoot = options.RootFolder is null;
        RootFolder = options.RootFolder ?? Directory.CreateTempSubdirectory("dtp-irods-").FullName;
        Directory.CreateDirectory(Path.Combine(RootFolder, "home"));
        foreach (var user in options.Users.Keys.Concat(options.PamUsers.Keys))
        {
            Directory.CreateDirectory(Path.Combine(RootFolder, "home", user));
        }

        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        acceptLoop = AcceptAsync();
    }

    /// <summary>Gets the options the server runs with.</summary>
    public IrodsTestServerOptions Options { get; }

    /// <summary>Gets the loopback port the server listens on.</summary>
    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>Gets the folder that holds the zone: logical <c>/zone/a/b</c> is <c>RootFolder/a/b</c>.</summary>
    public string RootFolder { get; }

    /// <summary>Gets every message received so far, in arrival order.</summary>
    public IReadOnlyList<CapturedMessage> Captured => captured.ToArray();

    /// <summary>Starts a server on a free loopback port.</summary>
    public static IrodsTestServer Start(IrodsTestServerOptions? options = null) => new(options ?? new IrodsTestServerOptions());

    /// <summary>Returns the home collection of a user, e.g. <c>/tempZone/home/rods</c>.</summary>
    public string HomeOf(string user) => $"/{Options.Zone}/home/{user}";

    /// <summary>Returns the file or folder on disk behind a logical path.</summary>
    public string LocalPathOf(string logicalPath) =>
        TryMap(logicalPath, out var local) ? local : throw new ArgumentException($"{logicalPath} is not in zone {Options.Zone}.", nameof(logicalPath));

    /// <summary>Forgets the messages captured so far.</summary>
    public void ClearCapture() => captured.Clear();

    /// <summary>Makes GenQuery list a data object that has no file (to test how clients treat hostile names such as <c>..</c>).</summary>
    public void AddPhantomDataObject(string collection, string name) => phantoms.Add((collection, name));

    /// <summary>Stops listening and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        try
        {
            await acceptLoop;
            await Task.WhenAll(sessions.ToArray());
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        stopping.Dispose();
        if (ownsRoot)
        {
            Directory.Delete(RootFolder, recursive: true);
        }
    }

    private async Task AcceptAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            client.NoDelay = true;
            var session = new Session(this, client, Interlocked.Increment(ref connectionCount));
            sessions.Add(Task.Run(() => session.RunAsync(stopping.Token)));
        }
    }

    private bool TryMap(string logicalPath, out string local)
    {
        local = string.Empty;
        var prefix = "/" + Options.Zone;
        if (!(logicalPath == prefix || logicalPath.StartsWith(prefix + "/", StringComparison.Ordinal)))
        {
            return false;
        }

        var segments = logicalPath[prefix.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Any(s => s is "." or ".."))
        {
            return false;
        }

        local = Path.Combine([RootFolder, .. segments]);
        return true;
    }

    private string LogicalOf(string local)
    {
        var relative = Path.GetRelativePath(RootFolder, local).Replace(Path.DirectorySeparatorChar, '/');
        return relative == "." ? "/" + Options.Zone : $"/{Options.Zone}/{relative}";
    }

    private long IdOf(string kind, string logical) => ids.GetOrAdd(kind + logical, _ => Interlocked.Increment(ref nextId));

    private static string Epoch(DateTime utc) => new DateTimeOffset(utc, TimeSpan.Zero).ToUnixTimeSeconds().ToString("D11", CultureInfo.InvariantCulture);

    private static string Sha2(string file)
    {
        using var stream = File.OpenRead(file);
        return "sha2:" + Convert.ToBase64String(SHA256.HashData(stream));
    }

    /// <summary>An iRODS error to send back: code and message.</summary>
    private sealed class IrodsError(int code, string message) : Exception(message)
    {
        public int Code { get; } = code;
    }

    private sealed class OpenObject(string logical, FileStream stream, bool writing)
    {
        public string Logical { get; } = logical;

        public FileStream Stream { get; } = stream;

        public bool Writing { get; } = writing;
    }

    private sealed class QueryState(List<string[]> rows, int[] columns)
    {
        public List<string[]> Rows { get; } = rows;

        public int[] Columns { get; } = columns;

        public int Position { get; set; }
    }

    /// <summary>One client connection: the agent of a real server.</summary>
    private sealed class Session(IrodsTestServer server, TcpClient client, int number)
    {
        private readonly Dictionary<int, OpenObject> descriptors = [];
        private readonly Dictionary<int, QueryState> queries = [];
        private Stream stream = client.GetStream();
        private bool tls;
        private bool legacyApostrophe;
        private string? user;
        private bool authenticated;
        private byte[]? challenge;
        private int nextQuery = 1;

        private IrodsTestServerOptions Options => server.Options;

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            try
            {
                if (await StartAsync(cancellationToken))
                {
                    while (await ServeOneAsync(cancellationToken))
                    {
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or EndOfStreamException or System.Security.Authentication.AuthenticationException)
            {
                // The client went away or the test ended.
            }
            finally
            {
                foreach (var open in descriptors.Values)
                {
                    await open.Stream.DisposeAsync();
                }

                await stream.DisposeAsync();
                client.Dispose();
            }
        }

        private async Task<bool> StartAsync(CancellationToken cancellationToken)
        {
            var (header, body, _, _) = await ReadAsync(cancellationToken);
            if (header.Type != "RODS_CONNECT" || body is null || body.Name.LocalName != "StartupPack_PI")
            {
                return false;
            }

            user = body.Element("proxyUser")?.Value;
            legacyApostrophe = IsLegacy(body.Element("relVersion")?.Value);
            var wantsNegotiation = (body.Element("option")?.Value ?? string.Empty).Contains("request_server_negotiation", StringComparison.Ordinal);
            var requireTls = Options.ClientServerPolicy == "CS_NEG_REQUIRE";
            var useTls = false;
            if (wantsNegotiation)
            {
                await SendAsync("RODS_CS_NEG_T", new XElement("CS_NEG_PI", new XElement("status", 1), new XElement("result", Options.ClientServerPolicy)), 0, null, default, cancellationToken);
                var (_, answer, _, _) = await ReadAsync(cancellationToken);
                var result = answer?.Element("result")?.Value ?? string.Empty;
                useTls = result.Contains("CS_NEG_USE_SSL", StringComparison.Ordinal);
                var agreed = (useTls && Options.ClientServerPolicy != "CS_NEG_REFUSE" && Options.Certificate is not null)
                             || (result.Contains("CS_NEG_USE_TCP", StringComparison.Ordinal) && !requireTls);
                if (!agreed)
                {
                    await SendVersionAsync(-1825000, cancellationToken);
                    return false;
                }
            }
            else if (requireTls)
            {
                await SendVersionAsync(-1825000, cancellationToken);
                return false;
            }

            await SendVersionAsync(0, cancellationToken);
            if (useTls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = Options.Certificate }, cancellationToken);
                stream = ssl;
                tls = true;

                // Encryption settings, then the shared secret: two header-only messages, the second followed by the key.
                await ReadHeaderAsync(cancellationToken);
                var secret = await ReadHeaderAsync(cancellationToken);
                await ReadBytesAsync(secret.MsgLen, cancellationToken);
            }

            return true;
        }

        /// <summary>Ends the session like an agent: TLS close_notify, then wait (briefly) for the client to close its side first.</summary>
        private async Task EndAsync(CancellationToken cancellationToken)
        {
            if (stream is SslStream ssl)
            {
                await ssl.ShutdownAsync();
            }

            using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            patience.CancelAfter(TimeSpan.FromSeconds(2));
            var raw = client.GetStream();
            var sink = new byte[4096];
            try
            {
                while (await raw.ReadAsync(sink, patience.Token) > 0)
                {
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
        }

        private Task SendVersionAsync(int status, CancellationToken cancellationToken) =>
            SendAsync("RODS_VERSION", new XElement("Version_PI",
                new XElement("status", status), new XElement("relVersion", "rods4.3.4"), new XElement("apiVersion", "d"),
                new XElement("reconnPort", 0), new XElement("reconnAddr", string.Empty), new XElement("cookie", 400)), 0, null, default, cancellationToken);

        private async Task<bool> ServeOneAsync(CancellationToken cancellationToken)
        {
            var (header, body, _, bs) = await ReadAsync(cancellationToken);
            if (header.Type == "RODS_DISCONNECT")
            {
                await EndAsync(cancellationToken);
                return false;
            }

            if (header.Type != "RODS_API_REQ")
            {
                await SendErrorAsync(-6000, $"unexpected message type {header.Type}", cancellationToken);
                return false;
            }

            try
            {
                await DispatchAsync(header.IntInfo, body, bs, cancellationToken);
            }
            catch (IrodsError error)
            {
                await SendErrorAsync(error.Code, error.Message, cancellationToken);
            }

            return true;
        }

        private async Task DispatchAsync(int api, XElement? body, byte[] bs, CancellationToken ct)
        {
            if (!authenticated && api is not (703 or 704 or 725))
            {
                throw new IrodsError(-13000, "SYS_NO_API_PRIV: log in first");
            }

            switch (api)
            {
                case 703:
                    challenge = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
                    await ReplyAsync(new XElement("authRequestOut_PI", new XElement("challenge", Convert.ToBase64String(challenge))), 0, ct);
                    break;
                case 704:
                    Authenticate(Require(body, "authResponseInp_PI"));
                    await ReplyAsync(null, 0, ct);
                    break;
                case 725:
                    await ReplyAsync(PamAuthenticate(Require(body, "pamAuthRequestInp_PI")), 0, ct);
                    break;
                case 633:
                    await StatAsync(Require(body, "DataObjInp_PI"), ct);
                    break;
                case 702:
                    await GenQueryAsync(Require(body, "GenQueryInp_PI"), ct);
                    break;
                case 601:
                case 602:
                    await ReplyAsync(null, Open(Require(body, "DataObjInp_PI"), api == 601), ct);
                    break;
                case 675:
                    await ReadObjectAsync(Require(body, "OpenedDataObjInp_PI"), ct);
                    break;
                case 676:
                    var target = Descriptor(Require(body, "OpenedDataObjInp_PI"));
                    await target.Stream.WriteAsync(bs, ct);
                    await ReplyAsync(null, bs.Length, ct);
                    break;
                case 674:
                    var inp = Require(body, "OpenedDataObjInp_PI");
                    var seek = Descriptor(inp);
                    var position = seek.Stream.Seek(Long(inp, "offset"), (SeekOrigin)Int(inp, "whence"));
                    await ReplyAsync(new XElement("fileLseekOut_PI", new XElement("offset", position)), 0, ct);
                    break;
                case 673:
                    await CloseAsync(Require(body, "OpenedDataObjInp_PI"));
                    await ReplyAsync(null, 0, ct);
                    break;
                case 629:
                    await ReplyAsync(new XElement("STR_PI", new XElement("myStr", Checksum(Require(body, "DataObjInp_PI")))), 0, ct);
                    break;
                case 681:
                    CreateCollection(Require(body, "CollInpNew_PI"));
                    await ReplyAsync(null, 0, ct);
                    break;
                case 679:
                    RemoveCollection(Require(body, "CollInpNew_PI"));
                    await ReplyAsync(null, 0, ct);
                    break;
                case 615:
                    Unlink(Require(body, "DataObjInp_PI"));
                    await ReplyAsync(null, 0, ct);
                    break;
                default:
                    throw new IrodsError(-12000, $"SYS_UNMATCHED_API_NUM: API {api} is not served");
            }
        }

        private void Authenticate(XElement response)
        {
            var name = (response.Element("username")?.Value ?? string.Empty).Split('#')[0];
            if (challenge is null)
            {
                throw new IrodsError(-178000, "AUTHENTICATION_ERROR: no challenge was requested");
            }

            var passwords = new List<string>();
            if (Options.Users.TryGetValue(name, out var password))
            {
                passwords.Add(password);
            }

            if (server.pamIssued.TryGetValue(name, out var issued))
            {
                lock (issued)
                {
                    passwords.AddRange(issued);
                }
            }

            if (passwords.Count == 0)
            {
                throw new IrodsError(-827000, $"CAT_INVALID_USER: no user {name} in zone {Options.Zone}");
            }

            var answer = Convert.FromBase64String(response.Element("response")?.Value ?? string.Empty);
            if (!passwords.Any(p => Expected(challenge, p).AsSpan().SequenceEqual(answer)))
            {
                throw new IrodsError(-826000, "CAT_INVALID_AUTHENTICATION: wrong password");
            }

            user = name;
            authenticated = true;
        }

        private static byte[] Expected(byte[] challenge, string password)
        {
            var input = new byte[challenge.Length + 50];
            challenge.CopyTo(input, 0);
            Encoding.UTF8.GetBytes(password).CopyTo(input, challenge.Length);
#pragma warning disable CA5351 // The native scheme is MD5 by definition.
            var digest = MD5.HashData(input);
#pragma warning restore CA5351
            return digest.Select(b => b == 0 ? (byte)1 : b).ToArray();
        }

        private XElement PamAuthenticate(XElement request)
        {
            if (Options.PamUsers.Count == 0)
            {
                throw new IrodsError(-992000, "PAM_AUTH_NOT_BUILT_INTO_SERVER");
            }

            if (!tls)
            {
                throw new IrodsError(-993000, "PAM_AUTH_PASSWORD_FAILED: PAM needs TLS");
            }

            var name = request.Element("pamUser")?.Value ?? string.Empty;
            if (!Options.PamUsers.TryGetValue(name, out var password) || password != request.Element("pamPassword")?.Value)
            {
                throw new IrodsError(-993000, "PAM_AUTH_PASSWORD_FAILED");
            }

            var temporary = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            var issued = server.pamIssued.GetOrAdd(name, _ => []);
            lock (issued)
            {
                issued.Add(temporary);
            }

            return new XElement("pamAuthRequestOut_PI", new XElement("irodsPamPassword", temporary));
        }

        private string Map(string? logical) =>
            logical is not null && server.TryMap(logical, out var local) ? local : throw new IrodsError(-317000, $"USER_INPUT_PATH_ERR: {logical}");

        private async Task StatAsync(XElement inp, CancellationToken ct)
        {
            var logical = inp.Element("objPath")?.Value;
            var local = Map(logical);
            if (File.Exists(local))
            {
                var info = new FileInfo(local);
                await ReplyAsync(ObjStat(info.Length, 1, server.IdOf("D", logical!), server.checksums.GetValueOrDefault(logical!, string.Empty), info.CreationTimeUtc, info.LastWriteTimeUtc), 1, ct);
            }
            else if (Directory.Exists(local))
            {
                var info = new DirectoryInfo(local);
                await ReplyAsync(ObjStat(0, 2, server.IdOf("C", logical!), string.Empty, info.CreationTimeUtc, info.LastWriteTimeUtc), 2, ct);
            }
            else
            {
                throw new IrodsError(-310000, $"USER_FILE_DOES_NOT_EXIST: {logical}");
            }
        }

        private XElement ObjStat(long size, int type, long id, string checksum, DateTime created, DateTime modified) =>
            new("RodsObjStat_PI",
                new XElement("objSize", size), new XElement("objType", type), new XElement("dataMode", 0),
                new XElement("dataId", id), new XElement("chksum", checksum), new XElement("ownerName", Owner),
                new XElement("ownerZone", Options.Zone), new XElement("createTime", Epoch(created)), new XElement("modifyTime", Epoch(modified)));

        private string Owner => Options.Users.Keys.FirstOrDefault() ?? "rods";

        private int Open(XElement inp, bool create)
        {
            var logical = inp.Element("objPath")?.Value!;
            var local = Map(logical);
            var flags = Int(inp, "openFlags");
            if (create)
            {
                flags |= 64 | 512 | 1;
            }

            var writing = (flags & 3) != 0;
            if (Directory.Exists(local))
            {
                throw new IrodsError(-833000, $"CAT_NAME_EXISTS_AS_COLLECTION: {logical}");
            }

            if (!File.Exists(local))
            {
                if ((flags & 64) == 0)
                {
                    throw new IrodsError(-358000, $"OBJ_PATH_DOES_NOT_EXIST: {logical}");
                }

                if (!Directory.Exists(Path.GetDirectoryName(local)))
                {
                    throw new IrodsError(-814000, $"CAT_UNKNOWN_COLLECTION: {IrodsParent(logical)}");
                }
            }

            var mode = (flags & 64) != 0 ? ((flags & 512) != 0 ? FileMode.Create : FileMode.OpenOrCreate) : FileMode.Open;
            var file = new FileStream(local, mode, writing ? FileAccess.ReadWrite : FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.Asynchronous);
            if (writing)
            {
                server.checksums.TryRemove(logical, out _);
            }

            var descriptor = 3;
            while (descriptors.ContainsKey(descriptor))
            {
                descriptor++;
            }

            descriptors[descriptor] = new OpenObject(logical, file, writing);
            return descriptor;
        }

        private static string IrodsParent(string logical) => logical[..Math.Max(1, logical.LastIndexOf('/'))];

        private OpenObject Descriptor(XElement inp)
        {
            var index = Int(inp, "l1descInx");
            return index is < 3 or > 1026
                ? throw new IrodsError(-19000, $"SYS_FILE_DESC_OUT_OF_RANGE: {index}")
                : descriptors.TryGetValue(index, out var open) ? open : throw new IrodsError(-23000, $"SYS_BAD_FILE_DESCRIPTOR: {index}");
        }

        private async Task ReadObjectAsync(XElement inp, CancellationToken ct)
        {
            var open = Descriptor(inp);
            var length = Math.Max(0, Int(inp, "len"));
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
            try
            {
                var count = await open.Stream.ReadAtLeastAsync(buffer.AsMemory(0, length), length, throwOnEndOfStream: false, ct);
                await SendAsync("RODS_API_REPLY", null, count, null, buffer.AsMemory(0, count), ct);
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        private async Task CloseAsync(XElement inp)
        {
            var open = Descriptor(inp);
            descriptors.Remove(Int(inp, "l1descInx"));
            await open.Stream.DisposeAsync();
        }

        private string Checksum(XElement inp)
        {
            var logical = inp.Element("objPath")?.Value!;
            var local = Map(logical);
            if (!File.Exists(local))
            {
                throw new IrodsError(-310000, $"USER_FILE_DOES_NOT_EXIST: {logical}");
            }

            // Like iRODS, the catalog's checksum is answered as it is; the file is read only to compute, force or verify one.
            var keywords = Keywords(inp);
            var stored = server.checksums.GetValueOrDefault(logical);
            if (stored is not null && !keywords.ContainsKey("forceChksum") && !keywords.ContainsKey("verifyChksum"))
            {
                return stored;
            }

            var actual = Sha2(local);
            if (keywords.ContainsKey("verifyChksum") && stored is not null && stored != actual)
            {
                throw new IrodsError(-314000, $"USER_CHKSUM_MISMATCH: {logical}");
            }

            server.checksums[logical] = actual;
            return actual;
        }

        private void CreateCollection(XElement inp)
        {
            var logical = inp.Element("collName")?.Value!;
            var local = Map(logical);
            var recursive = Keywords(inp).ContainsKey("recursiveOpr");
            if (File.Exists(local))
            {
                throw new IrodsError(-834000, $"CAT_NAME_EXISTS_AS_DATAOBJ: {logical}");
            }

            if (Directory.Exists(local) && !recursive)
            {
                throw new IrodsError(-809000, $"CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME: {logical}");
            }

            if (!recursive && !Directory.Exists(Path.GetDirectoryName(local)))
            {
                throw new IrodsError(-814000, $"CAT_UNKNOWN_COLLECTION: {IrodsParent(logical)}");
            }

            Directory.CreateDirectory(local);
        }

        private void RemoveCollection(XElement inp)
        {
            var logical = inp.Element("collName")?.Value!;
            var local = Map(logical);
            if (!Directory.Exists(local))
            {
                throw new IrodsError(-814000, $"CAT_UNKNOWN_COLLECTION: {logical}");
            }

            var recursive = Keywords(inp).ContainsKey("recursiveOpr");
            if (!recursive && Directory.EnumerateFileSystemEntries(local).Any())
            {
                throw new IrodsError(-821000, $"CAT_COLLECTION_NOT_EMPTY: {logical}");
            }

            Directory.Delete(local, recursive);
            foreach (var key in server.checksums.Keys.Where(k => k.StartsWith(logical + "/", StringComparison.Ordinal)))
            {
                server.checksums.TryRemove(key, out _);
            }
        }

        private void Unlink(XElement inp)
        {
            var logical = inp.Element("objPath")?.Value!;
            var local = Map(logical);
            if (!File.Exists(local))
            {
                throw new IrodsError(-817000, $"CAT_UNKNOWN_FILE: {logical}");
            }

            File.Delete(local);
            server.checksums.TryRemove(logical, out _);
        }

        private async Task GenQueryAsync(XElement inp, CancellationToken ct)
        {
            var maxRows = Math.Min(Int(inp, "maxRows"), Options.MaxPageSize);
            var continuation = Int(inp, "continueInx");
            QueryState state;
            if (continuation > 0)
            {
                if (!queries.TryGetValue(continuation, out state!))
                {
                    throw new IrodsError(-808000, "CAT_NO_ROWS_FOUND: no such continuation");
                }

                if (maxRows <= 0)
                {
                    queries.Remove(continuation);
                    await ReplyAsync(GenQueryOut([], state.Columns, 0, 0), 0, ct);
                    return;
                }

                if (state.Position >= state.Rows.Count)
                {
                    queries.Remove(continuation);
                    throw new IrodsError(-808000, "CAT_NO_ROWS_FOUND");
                }
            }
            else
            {
                var select = inp.Element("InxIvalPair_PI")?.Elements("inx").Select(e => int.Parse(e.Value, CultureInfo.InvariantCulture)).ToArray() ?? [];
                var where = inp.Element("InxValPair_PI");
                var conditions = where is null
                    ? []
                    : where.Elements("inx").Zip(where.Elements("svalue"), (i, v) => (int.Parse(i.Value, CultureInfo.InvariantCulture), v.Value)).ToList();
                if (maxRows <= 0)
                {
                    await ReplyAsync(GenQueryOut([], select, 0, 0), 0, ct);
                    return;
                }

                var rows = server.Rows(select, conditions);
                if (rows.Count == 0)
                {
                    throw new IrodsError(-808000, "CAT_NO_ROWS_FOUND");
                }

                state = new QueryState(rows, select);
                continuation = nextQuery++;
                queries[continuation] = state;
            }

            var page = state.Rows.Skip(state.Position).Take(maxRows).ToList();
            state.Position += page.Count;
            if (page.Count < maxRows)
            {
                queries.Remove(continuation);
                continuation = 0;
            }

            await ReplyAsync(GenQueryOut(page, state.Columns, continuation, state.Rows.Count), 0, ct);
        }

        private static XElement GenQueryOut(List<string[]> rows, int[] columns, int continuation, int total)
        {
            var output = new XElement("GenQueryOut_PI",
                new XElement("rowCnt", rows.Count), new XElement("attriCnt", columns.Length),
                new XElement("continueInx", continuation), new XElement("totalRowCount", total));
            for (var c = 0; c < MaxSqlAttributes; c++)
            {
                if (c < columns.Length)
                {
                    var values = rows.Select(r => r[c]).ToList();
                    output.Add(new XElement("SqlResult_PI",
                        new XElement("attriInx", columns[c]),
                        new XElement("reslen", values.Count == 0 ? 0 : values.Max(v => Encoding.UTF8.GetByteCount(v)) + 1),
                        values.Select(v => new XElement("value", v))));
                }
                else
                {
                    output.Add(new XElement("SqlResult_PI", new XElement("attriInx", 0), new XElement("reslen", 0)));
                }
            }

            return output;
        }

        private static Dictionary<string, string> Keywords(XElement inp)
        {
            var pairs = inp.Element("KeyValPair_PI");
            return pairs is null
                ? []
                : pairs.Elements("keyWord").Zip(pairs.Elements("svalue"), (k, v) => (k.Value, v.Value)).ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal);
        }

        private static XElement Require(XElement? body, string name) =>
            body is not null && body.Name.LocalName == name ? body : throw new IrodsError(-14000, $"SYS_API_INPUT_ERR: expected {name}");

        private static int Int(XElement parent, string name) =>
            int.TryParse(parent.Element(name)?.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : 0;

        private static long Long(XElement parent, string name) =>
            long.TryParse(parent.Element(name)?.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : 0;

        private static bool IsLegacy(string? release)
        {
            var digits = (release ?? string.Empty).Replace("rods", string.Empty, StringComparison.Ordinal).Split('.');
            var parts = digits.Select(d => int.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0).Concat([0, 0, 0]).Take(3).ToArray();
            return (parts[0], parts[1], parts[2]).CompareTo((4, 2, 9)) < 0;
        }

        private Task ReplyAsync(XElement? body, int intInfo, CancellationToken ct) => SendAsync("RODS_API_REPLY", body, intInfo, null, default, ct);

        private Task SendErrorAsync(int code, string message, CancellationToken ct) =>
            SendAsync("RODS_API_REPLY", null, code,
                new XElement("RError_PI", new XElement("count", 1), new XElement("RErrMsg_PI", new XElement("status", code), new XElement("msg", message))), default, ct);

        private async Task SendAsync(string type, XElement? body, int intInfo, XElement? error, ReadOnlyMemory<byte> bs, CancellationToken ct)
        {
            var bodyBytes = body is null ? [] : Encoding.UTF8.GetBytes(Pack(body));
            var errorBytes = error is null ? [] : Encoding.UTF8.GetBytes(Pack(error));
            var header = Encoding.UTF8.GetBytes(Pack(new XElement("MsgHeader_PI",
                new XElement("type", type), new XElement("msgLen", bodyBytes.Length), new XElement("errorLen", errorBytes.Length),
                new XElement("bsLen", bs.Length), new XElement("intInfo", intInfo))));
            var prefix = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(prefix, header.Length);
            var head = new byte[4 + header.Length + bodyBytes.Length + errorBytes.Length];
            prefix.CopyTo(head, 0);
            header.CopyTo(head, 4);
            bodyBytes.CopyTo(head, 4 + header.Length);
            errorBytes.CopyTo(head, 4 + header.Length + bodyBytes.Length);
            await stream.WriteAsync(head, ct);
            if (!bs.IsEmpty)
            {
                await stream.WriteAsync(bs, ct);
            }

            await stream.FlushAsync(ct);
        }

        /// <summary>Packs like iRODS's packer: a newline after every closing tag, its own escaping rules.</summary>
        private string Pack(XElement element)
        {
            var text = new StringBuilder();
            Append(element);
            return text.ToString();

            void Append(XElement e)
            {
                text.Append('<').Append(e.Name.LocalName).Append('>');
                if (e.HasElements)
                {
                    foreach (var child in e.Elements())
                    {
                        Append(child);
                    }
                }
                else
                {
                    text.Append(Escape(e.Value));
                }

                text.Append("</").Append(e.Name.LocalName).Append(">\n");
            }
        }

        private string Escape(string value)
        {
            var escaped = value.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
                .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);

            // Clients older than 4.2.9 get iRODS's legacy quirk: backtick travels as &apos;, the apostrophe raw.
            return legacyApostrophe
                ? escaped.Replace("`", "&apos;", StringComparison.Ordinal)
                : escaped.Replace("'", "&apos;", StringComparison.Ordinal);
        }

        private async Task<(Header Header, XElement? Body, byte[] Error, byte[] Bs)> ReadAsync(CancellationToken ct)
        {
            var header = await ReadHeaderAsync(ct);
            var body = await ReadBytesAsync(header.MsgLen, ct);
            var error = await ReadBytesAsync(header.ErrorLen, ct);
            var bs = await ReadBytesAsync(header.BsLen, ct);
            XElement? xml = null;
            if (body.Length > 0)
            {
                var text = Encoding.UTF8.GetString(body).TrimEnd('\0');
                if (legacyApostrophe)
                {
                    text = text.Replace("&apos;", "`", StringComparison.Ordinal);
                }

                xml = XElement.Parse(text);
            }

            server.captured.Enqueue(new CapturedMessage(number, header.Type, header.IntInfo,
                xml is null ? [] : xml.DescendantsAndSelf().Select(e => e.Name.LocalName).ToArray(), xml?.ToString(SaveOptions.DisableFormatting) ?? string.Empty));
            return (header, xml, error, bs);
        }

        private async Task<Header> ReadHeaderAsync(CancellationToken ct)
        {
            var prefix = await ReadBytesAsync(4, ct);
            var length = BinaryPrimitives.ReadInt32BigEndian(prefix);
            if (length is <= 0 or > 1088)
            {
                await SendErrorAsync(-4000, $"SYS_HEADER_READ_LEN_ERR: header of {length} bytes", ct);
                throw new IOException("bad header length");
            }

            var xml = XElement.Parse(Encoding.UTF8.GetString(await ReadBytesAsync(length, ct)));
            return new Header(xml.Element("type")?.Value ?? string.Empty, Int(xml, "msgLen"), Int(xml, "errorLen"), Int(xml, "bsLen"), Int(xml, "intInfo"));
        }

        private async Task<byte[]> ReadBytesAsync(int length, CancellationToken ct)
        {
            var bytes = new byte[length];
            await stream.ReadExactlyAsync(bytes, ct);
            return bytes;
        }

        private readonly record struct Header(string Type, int MsgLen, int ErrorLen, int BsLen, int IntInfo);
    }
}

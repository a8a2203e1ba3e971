using System.Net;
using System.Net.Sockets;

namespace Dtp.Testing;

/// <summary>Finds loopback TCP ports that are free right now (a server that then fails to bind retries with another).</summary>
public static class FreePort
{
    /// <summary>Returns a port on 127.0.0.1 that nothing listens on at the moment of the call.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

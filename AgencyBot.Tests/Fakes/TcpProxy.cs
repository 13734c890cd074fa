using System.Net;
using System.Net.Sockets;

namespace AgencyBot.Tests.Fakes;

/// <summary>
/// A TCP relay between the host and its database, so a test can cut the line (every connection dropped, new ones
/// refused, as when the database server goes away) and restore it.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = [];
    private readonly Lock _lock = new();
    private volatile bool _cut;

    private TcpProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static TcpProxy Start(string targetHost, int targetPort) => new(targetHost, targetPort);

    /// <summary>Drops every connection and refuses new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        _cut = true;
        lock (_lock)
        {
            foreach (var client in _open) client.Dispose();
            _open.Clear();
        }
    }

    public void Restore() => _cut = false;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try { inbound = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) when (_stop.IsCancellationRequested) { return; }
            if (_cut) { inbound.Dispose(); continue; }
            _ = RelayAsync(inbound);
        }
    }

    private async Task RelayAsync(TcpClient inbound)
    {
        var outbound = new TcpClient();
        try
        {
            await outbound.ConnectAsync(_targetHost, _targetPort, _stop.Token);
            lock (_lock) { _open.Add(inbound); _open.Add(outbound); }
            var a = inbound.GetStream().CopyToAsync(outbound.GetStream(), _stop.Token);
            var b = outbound.GetStream().CopyToAsync(inbound.GetStream(), _stop.Token);
            await Task.WhenAny(a, b);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A cut line or a closed side: either way this connection is over.
        }
        finally
        {
            lock (_lock) { _open.Remove(inbound); _open.Remove(outbound); }
            inbound.Dispose();
            outbound.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Cut();
        _stop.Dispose();
    }
}

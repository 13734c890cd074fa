using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;

namespace AgencyBot.Bench;

/// <summary>The host in a process of its own (dotnet AgencyBot.Host.dll, as in production), with settings as
/// environment variables: the one built beside the benchmark, or one published to <c>hostFolder</c> (the executable
/// itself when that is a Native AOT publish).</summary>
internal static class HostProcess
{
    public static Process Start(IReadOnlyDictionary<string, string> settings, string? hostFolder = null)
    {
        var folder = hostFolder ?? AppContext.BaseDirectory;
        // A Native AOT publish is one executable, without the .dll.
        var assembly = Path.Combine(folder, "AgencyBot.Host.dll");
        var start = File.Exists(assembly) ? new ProcessStartInfo("dotnet", [assembly]) : new ProcessStartInfo(Path.Combine(folder, "AgencyBot.Host"));
        (start.UseShellExecute, start.RedirectStandardOutput, start.RedirectStandardError, start.WorkingDirectory) = (false, true, true, folder);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings) start.Environment[key] = value;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) Console.Error.WriteLine($"host {process.Id}: {line}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static async Task WaitAsync(Func<Task<bool>> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await condition()) return;
            }
            catch (Exception ex) when (ex is HttpRequestException or SqliteException or Npgsql.NpgsqlException)
            {
                // not up yet
            }
            if (deadline.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException();
            await Task.Delay(20);
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

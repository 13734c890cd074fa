using System.Diagnostics;
using System.Text.Json;

namespace AgencyBot.Bench;

public sealed record Figure(string Name, double Value, string Unit, string Detail);

/// <summary>
/// Runs the real Host in this process against the fake Bot API server on loopback and prints measured figures.
/// Usage: dotnet run -c Release --project AgencyBot.Bench [-- --quick | --relay-only | --digest-only | --footprint [DIR] | --startup [DIR] | --postgres CONNECTION]
/// </summary>
internal static class Benchmark
{
    private static async Task<int> Main(string[] args)
    {
        var quick = args.Contains("--quick");
        var results = new List<Figure>();
        if (args.Contains("--relay-only"))
        {
            results.AddRange(await RelayLatency.RunAsync(perSecond: 5, TimeSpan.FromSeconds(60), chats: 20, projects: 5, limitsOn: true));
            Print(results);
            return 0;
        }
        // --postgres "Host=…;Username=…;Password=…;Database=postgres": intake on PostgreSQL, beside SQLite's.
        if (Array.IndexOf(args, "--postgres") is var at and >= 0 && at + 1 < args.Length)
        {
            results.Add(await Scenarios.IntakeAsync(updates: quick ? 2_000 : 20_000, chats: 1_000));
            results.Add(await Scenarios.IntakeAsync(updates: quick ? 2_000 : 20_000, chats: 1_000, postgres: args[at + 1]));
            results.AddRange(await ScaleOut.RunAsync(args[at + 1], updates: quick ? 2_000 : 20_000, chats: 1_000));
            Print(results);
            return 0;
        }
        // --footprint [DIR]: DIR a published host (the Dockerfile's ReadyToRun publish), else the one built here.
        if (Array.IndexOf(args, "--footprint") is var footprint and >= 0)
        {
            var published = footprint + 1 < args.Length && !args[footprint + 1].StartsWith("--", StringComparison.Ordinal) ? args[footprint + 1] : null;
            results.AddRange(await Footprint.RunAsync(chats: 20, updates: quick ? 2_000 : 20_000, published));
            Print(results);
            return 0;
        }
        // --startup [DIR]: start-up alone, 15 times (--quick: 5).
        if (Array.IndexOf(args, "--startup") is var startup and >= 0)
        {
            var published = startup + 1 < args.Length && !args[startup + 1].StartsWith("--", StringComparison.Ordinal) ? args[startup + 1] : null;
            results.AddRange(await Footprint.StartUpAsync(runs: quick ? 5 : 15, published));
            Print(results);
            return 0;
        }
        if (args.Contains("--digest-only"))
        {
            results.AddRange(await DigestBuild.RunAsync(projects: 200, messages: 1_000_000, timeEntries: 50_000));
            Print(results);
            return 0;
        }
        results.AddRange(await Footprint.RunAsync(chats: 20, updates: quick ? 2_000 : 20_000));
        results.AddRange(new List<Figure>
        {
            await Scenarios.StartUpAsync(),
            await Scenarios.IntakeAsync(updates: quick ? 2_000 : 20_000, chats: 1_000),
            await Scenarios.OutboxDrainAsync(messages: quick ? 2_000 : 10_000, chats: 500, limitsOn: false),
            await Scenarios.OutboxDrainAsync(messages: quick ? 150 : 600, chats: 600, limitsOn: true),
        });
        // The pipeline alone (limiter off), then under Telegram's limits as the fake Bot API enforces them.
        results.AddRange(await RelayLatency.RunAsync(perSecond: 50, TimeSpan.FromSeconds(quick ? 4 : 20), chats: 50, projects: 10, limitsOn: false));
        results.AddRange(await RelayLatency.RunAsync(perSecond: 500, TimeSpan.FromSeconds(quick ? 2 : 10), chats: 200, projects: 20, limitsOn: false));
        results.AddRange(await RelayLatency.RunAsync(perSecond: 5, TimeSpan.FromSeconds(quick ? 10 : 60), chats: 20, projects: 5, limitsOn: true));
        results.AddRange(await RelayLatency.RunAsync(perSecond: 50, TimeSpan.FromSeconds(quick ? 4 : 20), chats: 20, projects: 5, limitsOn: true));
        results.AddRange(await DigestBuild.RunAsync(projects: 200, messages: quick ? 100_000 : 1_000_000, timeEntries: quick ? 5_000 : 50_000));
        Print(results);
        return 0;
    }

    private static void Print(List<Figure> results)
    {
        Console.WriteLine();
        Console.WriteLine($"AgencyBot benchmark: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, " +
            $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} MB");
        Console.WriteLine();
        Console.WriteLine("| figure | value | unit | detail |");
        Console.WriteLine("|---|---:|---|---|");
        foreach (var f in results) Console.WriteLine($"| {f.Name} | {f.Value:0.0} | {f.Unit} | {f.Detail} |");
        Console.WriteLine();
        Console.WriteLine(JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
    }
}

using AgencyBot.Core;
using AgencyBot.Host.Api;
using AgencyBot.Host.Data;
using AgencyBot.Host.Scheduling;
using AgencyBot.Host.Settings;
using AgencyBot.Host.Telegram;
using AgencyBot.Sandbox;

var builder = WebApplication.CreateBuilder(args);
// --sandbox, or Development without a bot token: the whole product against the in-process Bot API emulator.
SandboxMode? sandbox = null;
if (SandboxMode.Wanted(args, builder))
{
    if (SandboxMode.Refusal(builder) is { } refusal)
    {
        Console.Error.WriteLine($"AgencyBot cannot start: {refusal}");
        return 1;
    }
    sandbox = await SandboxMode.StartAsync(builder);
}
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 1024 * 1024);
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(8)); // SIGTERM: done within 10 s

builder.Services.AddAgencySettings(builder.Configuration);
builder.Services.AddStorage();          // SQLite or PostgreSQL, migrations, backups
builder.Services.AddAgencyCore();       // the stores, the router and its handlers; inbox → router → outbox → sender
builder.Services.AddTelegram(builder.Configuration); // the Bot API client, intake (polling or webhook)
builder.Services.AddScheduling(builder.Configuration); // Quartz: SLA checks, the daily digest
builder.Services.AddAdminApi();         // /api, behind X-Api-Key
builder.Services.AddAgencyHealth();     // /health
if (sandbox is null) builder.Services.AddHostedService<OwnerLink>(); // no staff yet: the first manager's link (the sandbox has its staff)
sandbox?.AddServices(builder.Services); // the emulator, the sandbox clock, the demo agency

var app = builder.Build();
if (SettingsRegistration.Problems(app.Services) is [_, ..] problems)
{
    foreach (var problem in problems) Console.Error.WriteLine($"AgencyBot cannot start: {problem}");
    return 1;
}

app.UseExceptionHandler(new ExceptionHandlerOptions
{
    // Body too large, malformed JSON: the status the server chose, as a problem document.
    StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
    // A caller's malformed request is theirs to fix, not an error of ours to log with a stack trace.
    SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException,
});
app.UseStatusCodePages();
app.MapHealthChecks("/health");
app.MapAdminApi();
app.MapTelegramWebhook();               // in webhook mode: Telegram's POSTs
if (sandbox is not null)
{
    app.MapSandbox(sandbox);            // /sandbox: the page, its live feed, the clock button
    app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"AgencyBot sandbox: open {sandbox.PageAddress}"));
}

var (stopping, started) = (app.Lifetime.ApplicationStopping, app.Lifetime.ApplicationStarted);
try
{
    await app.RunAsync();
}
catch (Exception) when (stopping.IsCancellationRequested && !started.IsCancellationRequested)
{
    // SIGTERM before start-up was over (the scheduler and the web server start after the intake): the host cancels its
    // start by throwing (dotnet/runtime#111013), Quartz wrapping the cancellation in its own exception. What was begun
    // is in transactions, so this is a clean stop, not a crash.
    Console.Error.WriteLine("AgencyBot stopped before its start-up was over");
}
if (sandbox is not null) await sandbox.Telegram.DisposeAsync();
return 0;

public partial class Program;

using AgencyBot.Host.Admin;
using AgencyBot.Host.Data;
using AgencyBot.Host.Digest;
using AgencyBot.Host.Health;
using AgencyBot.Host.Settings;
using AgencyBot.Host.Telegram;

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 1024 * 1024);
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(8)); // SIGTERM: done within 10 s

builder.Services.AddAgencySettings(builder.Configuration);
builder.Services.AddStorage();          // SQLite, migrations, one store per table
builder.Services.AddTelegram(builder.Configuration); // intake (polling or webhook) → inbox → router → outbox → sender
builder.Services.AddScheduling(builder.Configuration); // Quartz: SLA checks, the daily digest
builder.Services.AddAdminApi();         // /api, behind X-Api-Key
builder.Services.AddAgencyHealth();     // /health

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
});
app.UseStatusCodePages();
app.MapHealthChecks("/health");
app.MapAdminApi();
app.MapTelegramWebhook();               // in webhook mode: Telegram's POSTs

await app.RunAsync();
return 0;

public partial class Program;

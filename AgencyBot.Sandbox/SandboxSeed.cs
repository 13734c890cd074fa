using System.Text.Json;
using AgencyBot.Core.Agency;
using AgencyBot.Core.Clients;
using AgencyBot.Core.Projects;
using AgencyBot.Core.Staff;
using AgencyBot.Core.Tasks;
using Microsoft.Extensions.Options;

namespace AgencyBot.Sandbox;

/// <summary>
/// The demo agency, set up the way a real one is: staff and client registered as the admin API would, a project
/// from the "Website launch" template with its team, and then the people act in Telegram (the emulator): Anna opens
/// her invite link, Léa and Paul start the bot. Everything after that is the real pipeline at work. Before that, the
/// agency is given five weeks of past (<see cref="SandboxHistory"/>), so its reports have something to show.
/// </summary>
internal sealed class SandboxSeed(
    FakeBotApi telegram,
    StaffStore staff,
    ClientStore clients,
    ProjectStore projects,
    InviteStore invites,
    TemplateStore templates,
    TaskWork work,
    SandboxHistory history,
    IOptions<AgencyOptions> agency,
    ILogger<SandboxSeed> logger) : IHostedService
{
    private const string TemplateResource = "AgencyBot.Sandbox.website-launch.json";

    public async Task StartAsync(CancellationToken ct)
    {
        var team = new Dictionary<string, long>();
        foreach (var person in SandboxPeople.Staff)
        {
            var role = person.Role switch { "assistant" => StaffRole.Assistant, "manager" => StaffRole.Manager, _ => StaffRole.Employee };
            var member = await staff.AddAsync(person.TelegramId, person.FullName, role, ct)
                ?? throw new InvalidOperationException($"The sandbox database already has {person.FullName}; it should start empty");
            team[person.Role] = member.Id;
        }
        var template = await templates.AddAsync(ReadTemplate(), ct) ?? throw new InvalidOperationException("The demo template was refused");
        var acme = await clients.AddAsync("Acme", ct);
        long design = 0;
        var project = await projects.AddAsync(acme.Id, "Website launch", async (c, t, projectId) =>
        {
            await TeamStore.SetAsync(c, t, projectId, team.Select(m => (m.Key, m.Value)).ToList());
            var tasks = await work.ApplyTemplateAsync(c, t, projectId, template.Body, null, null);
            design = tasks.FirstOrDefault(task => task.Title == "Design")?.Number ?? tasks[0].Number;
        }, ct) ?? throw new InvalidOperationException("The demo project was refused");
        var invite = await invites.CreateAsync(project.Id, agency.Value.InviteLifetime, ct: ct) ?? throw new InvalidOperationException("No invite");
        await history.WriteAsync(project.Id, team["assistant"], team["designer"], ct);

        // People in Telegram: the client opens her link; the designer and the manager start the bot.
        telegram.ClientSends(SandboxPeople.Client.TelegramId, $"/start {invite.Code}", firstName: SandboxPeople.Client.FirstName, languageCode: "en");
        telegram.ClientSends(SandboxPeople.Designer.TelegramId, "/start", firstName: SandboxPeople.Designer.FirstName);
        telegram.ClientSends(SandboxPeople.Manager.TelegramId, "/start", firstName: SandboxPeople.Manager.FirstName);
        logger.LogInformation("Sandbox agency ready: Acme's \"Website launch\" with {Tasks} tasks from the template", template.Body.Tasks?.Count ?? 0);
        _ = MockUpForApprovalAsync(design);
    }

    /// <summary>Once the project's topic is there, Marie posts the homepage mock-up as a note and asks Anna to approve it,
    /// so a visitor can approve it (or ask for changes) as Anna.</summary>
    private async Task MockUpForApprovalAsync(long task)
    {
        try
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            int thread;
            // Anna's chat is linked (the bot welcomed her) and the project's topic is there.
            while ((thread = telegram.Topics.FirstOrDefault(x => x.Key.Chat == SandboxPeople.StaffChat && x.Value == "Acme · Website launch").Key.Thread) == 0
                   || !telegram.SentTo(SandboxPeople.Client.TelegramId).Any())
                await Task.Delay(200, patience.Token);
            var mockUp = telegram.ClientSendsMedia(SandboxPeople.StaffChat, "photo", "// Homepage mock-up, first version", userId: SandboxPeople.Assistant.TelegramId,
                firstName: SandboxPeople.Assistant.FirstName, threadId: thread);
            telegram.ClientSends(SandboxPeople.StaffChat, $"/approve #{task} Here is the homepage mock-up: does it work for you?", SandboxPeople.Assistant.TelegramId,
                SandboxPeople.Assistant.FirstName, threadId: thread, replyToMessageId: mockUp);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Sandbox: the mock-up to approve could not be posted");
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    private static Template ReadTemplate()
    {
        using var stream = typeof(SandboxSeed).Assembly.GetManifestResourceStream(TemplateResource)
            ?? throw new InvalidOperationException($"{TemplateResource} is not embedded");
        return JsonSerializer.Deserialize(stream, TemplateStore.TemplateJson.Default.Template) ?? throw new InvalidOperationException("Empty template");
    }
}

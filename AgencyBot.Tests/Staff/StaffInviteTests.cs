using System.Net.Http.Json;
using System.Text.RegularExpressions;
using AgencyBot.Core.Clients;
using AgencyBot.Sandbox;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Staff;

/// <summary>The agency's own people join by link, never by numeric id: the first manager by the owner link the host
/// logs on its first start, everyone else by a manager's /invite_staff link. Each link works once.</summary>
public sealed partial class StaffInviteTests : AgencyTest
{
    private const long Claire = 7101;
    private const long Intruder = 7102;
    private const long Paul = 9009;
    private const long Lea = 7201;

    protected override bool StartsItsOwnAgency => true;

    [GeneratedRegex(@"https://t\.me/(\w+)\?start=((?:owner|staff)-\w+)")]
    private static partial Regex LinkPattern();

    private static string PayloadIn(string text) => LinkPattern().Match(text) is { Success: true } m ? m.Groups[2].Value : throw new AssertionException($"no link in: {text}");

    private async Task<string> ReplyToAsync(long chat, string containing) =>
        (await World.WaitForAsync(s => s.Any(m => m.ChatId == chat && m.Text?.Contains(containing) == true)))
            .Last(m => m.ChatId == chat && m.Text?.Contains(containing) == true).Text!;

    [Test]
    public async Task OnTheFirstStart_TheHostLogsAnOwnerLink_ThatMakesTheFirstManager_OnceOnly()
    {
        World = await AgencyWorld.StartAsync(database: TempDatabase.Create()); // nobody is staff
        var logged = await Eventually.HoldsAsync(() => Task.FromResult(World.Host.Logs), logs => logs.Any(l => l.Contains("?start=owner-")),
            AgencyWorld.Timeout, "the owner link is logged");
        var line = logged.First(l => l.Contains("?start=owner-"));
        var payload = PayloadIn(line);

        World.Telegram.ClientSends(Claire, $"/start {payload}", firstName: "Claire");
        var welcome = await ReplyToAsync(Claire, "first manager");
        World.Telegram.ClientSends(Intruder, $"/start {payload}", firstName: "Eve");
        var refused = await ReplyToAsync(Intruder, "cannot be used");
        World.Telegram.ClientSends(Claire, "/staff", firstName: "Claire");
        var roster = await ReplyToAsync(Claire, "Staff (1 active)");
        await World.RestartHostAsync();
        await World.SettledAsync();

        var staff = await World.Db.QueryAsync<(long, string, string)>("SELECT telegram_user_id, name, role FROM staff");
        Assert.Multiple(() =>
        {
            Assert.That(line, Does.Contain($"https://t.me/{FakeBotApi.BotUsername}?start=owner-"), "a link to this bot");
            Assert.That(welcome, Does.Contain("Welcome, Claire").And.Contain("/setup"));
            Assert.That(refused, Does.Contain("Ask a manager"));
            Assert.That(staff, Is.EqualTo(new[] { (Claire, "Claire", "manager") }), "the intruder is nobody");
            Assert.That(roster, Does.Contain("Claire: manager"), "a manager's power works at once");
            Assert.That(World.Host.Logs.Where(l => l.Contains("?start=owner-")), Is.Empty, "once someone is staff, no owner link any more");
        });
    }

    [Test]
    public async Task AStaffLink_IsSingleUse_RegistersTheNameTelegramShows_AndDiesWithItsManager()
    {
        World = await AgencyWorld.StartAsync();
        var paulId = await World.StaffAsync(Paul, "Paul Durand", "manager");
        World.Telegram.ClientSends(Paul, "/start", firstName: "Paul");
        await ReplyToAsync(Paul, "Hi Paul");

        World.Telegram.ClientSends(Paul, "/invite_staff employee", firstName: "Paul");
        var first = PayloadIn(await ReplyToAsync(Paul, "A staff link for an employee"));
        World.Telegram.ClientSends(Paul, "/invite_staff designer", firstName: "Paul");
        var usage = await ReplyToAsync(Paul, "/invite_staff <assistant | employee | manager>");
        World.Telegram.ClientSends(AgencyWorld.StaffChat, "/invite_staff manager", userId: AgencyWorld.Assistant, firstName: "Marie");
        var notManager = await ReplyToAsync(AgencyWorld.StaffChat, "Only managers can invite staff");
        World.Telegram.ClientSends(Paul, "/invite_staff assistant", firstName: "Paul");
        var second = PayloadIn(await ReplyToAsync(Paul, "A staff link for an assistant"));

        World.Telegram.ClientSends(Lea, $"/start {first}", firstName: "Léa");
        var welcome = await ReplyToAsync(Lea, "Welcome, Léa");
        var told = await ReplyToAsync(Paul, "joined the staff");
        World.Telegram.ClientSends(Intruder, $"/start {first}", firstName: "Eve");
        await ReplyToAsync(Intruder, "cannot be used");

        // Paul leaves: the link he made and nobody used dies with his powers.
        (await World.Api.PatchAsJsonAsync($"/api/staff/{paulId}", new { active = false })).EnsureSuccessStatusCode();
        World.Telegram.ClientSends(Intruder, $"/start {second}", firstName: "Eve");
        await World.WaitForAsync(s => s.Count(m => m.ChatId == Intruder && m.Text?.Contains("cannot be used") == true) == 2);
        World.Telegram.ClientSends(Paul, "/invite_staff manager", firstName: "Paul");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Paul && m.Text == ClientTexts.Get("NotLinked", "en")));
        await World.SettledAsync();

        var staff = await World.Db.QueryAsync<(long, string, string)>("SELECT telegram_user_id, name, role FROM staff WHERE telegram_user_id IN (@Lea, @Intruder)",
            new { Lea, Intruder });
        var events = await World.Db.QueryAsync<(string, long?)>("SELECT e.kind, e.actor_id FROM staff_events e JOIN staff s ON s.id = e.staff_id WHERE s.telegram_user_id = @Lea",
            new { Lea });
        Assert.Multiple(async () =>
        {
            Assert.That(staff, Is.EqualTo(new[] { (Lea, "Léa", "employee") }));
            Assert.That(events, Is.EqualTo(new[] { ("registered", (long?)paulId) }), "who let her in is on record");
            Assert.That(welcome, Does.Contain("employee"));
            Assert.That(told, Does.Contain("Léa joined the staff as employee (a link from Paul Durand)"));
            Assert.That(usage, Does.Contain("/invite_staff"));
            Assert.That(notManager, Does.Contain("Only managers"));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM staff_invites WHERE used_at IS NOT NULL"), Is.EqualTo(1));
            Assert.That(World.Telegram.SentTo(Paul).Count(m => m.Text?.Contains("A staff link") == true), Is.EqualTo(2),
                "someone who left makes no links");
        });
    }

    [Test]
    public async Task TheAdminApi_MakesListsAndRevokesStaffLinks()
    {
        World = await AgencyWorld.StartAsync();
        var created = await (await World.Api.PostAsJsonAsync("/api/staff/invites", new { role = "assistant" })).ReadAsAsync<StaffInviteCreated>();
        var revoked = await World.Api.DeleteAsync($"/api/staff/invites/{created.Code}");
        var again = await World.Api.DeleteAsync($"/api/staff/invites/{created.Code}");
        var bad = await World.Api.PostAsJsonAsync("/api/staff/invites", new { role = "boss" });
        World.Telegram.ClientSends(Lea, $"/start {PayloadIn(created.Link)}", firstName: "Léa");
        await ReplyToAsync(Lea, "cannot be used");
        var list = await (await World.Api.GetAsync("/api/staff/invites")).ReadAsAsync<StaffInviteView[]>();

        Assert.Multiple(() =>
        {
            Assert.That(created.Link, Does.StartWith($"https://t.me/{FakeBotApi.BotUsername}?start=staff-"));
            Assert.That((int)revoked.StatusCode, Is.EqualTo(204));
            Assert.That((int)again.StatusCode, Is.EqualTo(404));
            Assert.That((int)bad.StatusCode, Is.EqualTo(400));
            Assert.That(list.Where(i => !i.Owner).Select(i => (i.Code, i.Role, i.State)), Is.EqualTo(new[] { (created.Code, "assistant", "revoked") }));
            Assert.That(list.Where(i => i.Owner).Select(i => i.State), Is.All.EqualTo("void"), "the owner link (made before the first staff member) died");
        });
    }
}

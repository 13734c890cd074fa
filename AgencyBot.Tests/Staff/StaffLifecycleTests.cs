using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgencyBot.Core.Clients;
using AgencyBot.Tests.Fakes;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Staff;

/// <summary>People join, change role and leave: a person who left loses every staff power at once, their history stays,
/// and what they held is handed over.</summary>
public sealed class StaffLifecycleTests : AgencyTest
{
    private const long Anna = 601;
    private const long AcmeGroup = -1006001;
    private const long Paul = 9009;
    private const long Tom = 9010;
    private long _projectId;
    private long _tomId;
    private int _topic;

    [SetUp]
    public async Task SetUp()
    {
        await World.StaffAsync(Paul, "Paul Durand", "manager");
        _tomId = await World.StaffAsync(Tom, "Tom Petit", "assistant");
        string code;
        (_projectId, code) = await World.ProjectAsync();
        await World.LinkPrivateChatAsync(Anna, code, firstName: "Anna");
        await World.LinkGroupAsync(AcmeGroup, _projectId, userId: 70);
        _topic = await World.TopicAsync();
        // Tom started the bot and holds a task.
        World.Telegram.ClientSends(Tom, "/start", firstName: "Tom");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Tom));
        (await World.Api.PostAsJsonAsync($"/api/projects/{_projectId}/tasks", new { title = "Homepage copy", responsibleStaffId = _tomId })).EnsureSuccessStatusCode();
        await World.SettledAsync();
    }


    private Task<HttpResponseMessage> PatchAsync(long id, object body) =>
        World.Api.PatchAsJsonAsync($"/api/staff/{id}", body);

    [Test]
    public async Task DeactivatedByTheApi_SomeoneWhoLeft_HasNoStaffPowerLeft_AndTheirOpenTasksAreListedForReassignment()
    {
        var response = await PatchAsync(_tomId, new { active = false });
        var member = await response.Content.ReadFromJsonAsync<JsonElement>();
        await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains("Tom Petit is no longer on staff") == true));

        // In the topic: not relayed to any client.
        World.Telegram.ClientSends(AgencyWorld.StaffChat, "Your new password is X9", userId: Tom, firstName: "Tom", threadId: _topic);
        // In the client's group: a client's message now (relayed to staff, opens a waiting period), not an answer.
        World.Telegram.ClientSends(AcmeGroup, "I am Tom, answering here", userId: Tom, firstName: "Tom");
        // In the staff group's General: no new project (an assistant could, before).
        World.Telegram.ClientSends(AgencyWorld.StaffChat, "/newproject", userId: Tom, firstName: "Tom");
        // Privately: no /my, no /staff, no /digest.
        World.Telegram.ClientSends(Tom, "/my", firstName: "Tom");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains("I am Tom, answering here") == true));
        await World.WaitForAsync(s => s.Count(m => m.ChatId == Tom) >= 2);
        await World.SettledAsync();

        var notice = World.Telegram.SentTo(AgencyWorld.StaffChat).Last(m => m.Text?.Contains("no longer on staff") == true);
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(member.GetProperty("active").GetBoolean(), Is.False);
            Assert.That(World.Telegram.Sent.Where(m => m.Text?.Contains("X9") == true), Is.Empty, "nothing Tom writes reaches a client");
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM messages WHERE direction = 'staff' OR text LIKE '%X9%'"), Is.Zero,
                "not taken as an answer at all: not recorded, not held, nothing asked");
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM held_messages WHERE reason = 'recipient'"), Is.Zero);
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM conversations WHERE chat_id = @AcmeGroup AND waiting_since IS NOT NULL",
                new { AcmeGroup }), Is.EqualTo(1), "Tom's message in the group waits for an answer like a client's");
            Assert.That(World.Telegram.SentTo(Tom).Last().Text, Is.EqualTo(ClientTexts.Get("NotLinked", "en")), "no /my for someone who left");
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM dialogs"), Is.Zero, "no /newproject either");
            Assert.That(World.Telegram.Sent.Where(m => m.Text?.Contains("New project (1/5)") == true), Is.Empty);
            Assert.That(notice.Text, Does.Contain("#1 Homepage copy"));
            Assert.That(notice.ThreadId, Is.EqualTo(_topic));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT responsible_id FROM tasks WHERE number = 1"), Is.EqualTo(_tomId), "history stays");
            Assert.That(await World.Db.ScalarAsync<string>("SELECT kind FROM staff_events WHERE staff_id = @_tomId ORDER BY id DESC LIMIT 1", new { _tomId }),
                Is.EqualTo("deactivated"));
        });
    }

    [Test]
    public async Task RoleAndNameChanges_AreKept_AndADeactivatedMemberCanComeBack()
    {
        await PatchAsync(_tomId, new { name = "Tom Petit-Jean", role = "manager" });
        await PatchAsync(_tomId, new { active = false });
        var back = await (await PatchAsync(_tomId, new { active = true })).Content.ReadFromJsonAsync<JsonElement>();
        var invalid = await PatchAsync(_tomId, new { role = "boss" });
        var missing = await PatchAsync(999, new { active = false });

        var events = await World.Db.QueryAsync<string>("SELECT kind || ': ' || COALESCE(detail, '') FROM staff_events WHERE staff_id = @_tomId ORDER BY id", new { _tomId });
        Assert.Multiple(() =>
        {
            Assert.That(back.GetProperty("name").GetString(), Is.EqualTo("Tom Petit-Jean"));
            Assert.That(back.GetProperty("role").GetString(), Is.EqualTo("manager"));
            Assert.That(back.GetProperty("active").GetBoolean(), Is.True);
            Assert.That(events, Is.EqualTo(new[]
            {
                "registered: assistant: Tom Petit", "renamed: Tom Petit → Tom Petit-Jean", "role: assistant → manager",
                "deactivated: Tom Petit-Jean", "reactivated: Tom Petit-Jean",
            }));
            Assert.That(invalid.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task AManager_DeactivatesSomeoneFromTelegram_WithAConfirmation_AndADoubleTapDoesItOnce()
    {
        World.Telegram.ClientSends(Paul, "/start", firstName: "Paul");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Paul));
        World.Telegram.ClientSends(Paul, "/staff", firstName: "Paul");
        var list = (await World.WaitForAsync(s => s.Any(m => m.ChatId == Paul && m.Text?.StartsWith("Staff (") == true)))
            .Last(m => m.ChatId == Paul && m.Text?.StartsWith("Staff (") == true);

        World.Telegram.Presses(Paul, list.MessageId, list.Button("Tom"), userId: Paul, firstName: "Paul");
        var menu = await NextWithButtonsAsync(Paul, "Tom Petit is assistant");
        World.Telegram.Presses(Paul, menu.MessageId, menu.Button("Deactivate"), userId: Paul, firstName: "Paul");
        var confirm = await NextWithButtonsAsync(Paul, "Deactivate Tom Petit?");
        World.Telegram.Presses(Paul, confirm.MessageId, confirm.Button("Yes"), userId: Paul, firstName: "Paul");
        World.Telegram.Presses(Paul, confirm.MessageId, confirm.Button("Yes"), userId: Paul, firstName: "Paul");
        await CallbackAnswersAsync(4);
        await World.SettledAsync();

        var answers = World.Telegram.Requests.Where(r => r.Method == "answerCallbackQuery").Select(r => (string?)r.Body["text"]).ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(await World.Db.ScalarAsync<long>("SELECT active FROM staff WHERE id = @_tomId", new { _tomId }), Is.Zero);
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM staff_events WHERE kind = 'deactivated'"), Is.EqualTo(1));
            Assert.That(answers, Has.Member("Tom Petit is already deactivated."), "the second tap does nothing");
            Assert.That(World.Telegram.SentTo(AgencyWorld.StaffChat).Count(m => m.Text?.Contains("Tom Petit is no longer on staff") == true), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task StaffButtons_PressedBySomeoneWhoIsNotAManager_DoNothing()
    {
        World.Telegram.ClientSends(Paul, "/start", firstName: "Paul");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Paul));
        World.Telegram.ClientSends(Paul, "/staff", firstName: "Paul");
        var list = (await World.WaitForAsync(s => s.Any(m => m.ChatId == Paul && m.Text?.StartsWith("Staff (") == true)))
            .Last(m => m.ChatId == Paul && m.Text?.StartsWith("Staff (") == true);

        // Tom (an assistant) forges Paul's confirmation from his own private chat, and Anna (a client) from hers.
        var data = $"s:D:{_tomId}";
        World.Telegram.Presses(Tom, list.MessageId, data, userId: Tom, firstName: "Tom");
        World.Telegram.Presses(Anna, list.MessageId, data, userId: Anna, firstName: "Anna");
        World.Telegram.ClientSends(AgencyWorld.StaffChat, "/staff", userId: AgencyWorld.Assistant, firstName: "Marie", threadId: _topic);
        await CallbackAnswersAsync(2);
        await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text == "Only managers can change who is on staff."));
        await World.SettledAsync();

        Assert.That(await World.Db.ScalarAsync<long>("SELECT active FROM staff WHERE id = @_tomId", new { _tomId }), Is.EqualTo(1));
    }

    private Task CallbackAnswersAsync(int count) =>
        Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Requests.Count(r => r.Method == "answerCallbackQuery")), n => n >= count,
            AgencyWorld.Timeout, $"{count} button presses answered");

    private async Task<SentMessage> NextWithButtonsAsync(long chat, string text) =>
        (await World.WaitForAsync(s => s.Any(m => m.ChatId == chat && m.Text?.StartsWith(text) == true)))
            .Last(m => m.ChatId == chat && m.Text?.StartsWith(text) == true);

}

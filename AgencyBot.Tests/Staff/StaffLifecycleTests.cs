using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgencyBot.Core.Clients;
using AgencyBot.Tests.Fakes;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Staff;

/// <summary>People join, change role and leave: a person who left loses every staff power at once, their history stays,
/// and what they held is handed over.</summary>
public sealed class StaffLifecycleTests
{
    private const long Anna = 601;
    private const long AcmeGroup = -1006001;
    private const long Paul = 9009;
    private const long Tom = 9010;
    private AgencyWorld _world = null!;
    private long _projectId;
    private long _tomId;
    private int _topic;

    [SetUp]
    public async Task SetUp()
    {
        _world = await AgencyWorld.StartAsync();
        await _world.StaffAsync(Paul, "Paul Durand", "manager");
        _tomId = await _world.StaffAsync(Tom, "Tom Petit", "assistant");
        string code;
        (_projectId, code) = await _world.ProjectAsync();
        await _world.LinkPrivateChatAsync(Anna, code, firstName: "Anna");
        _world.Telegram.DefineGroup(AcmeGroup, "Acme team");
        _world.Telegram.ClientSends(AcmeGroup, $"/link {await _world.InviteAsync(_projectId)}", userId: 70, firstName: "Jean");
        await _world.WaitForAsync(s => s.Any(m => m.ChatId == AcmeGroup));
        _topic = await _world.TopicAsync();
        // Tom started the bot and holds a task.
        _world.Telegram.ClientSends(Tom, "/start", firstName: "Tom");
        await _world.WaitForAsync(s => s.Any(m => m.ChatId == Tom));
        (await _world.Api.PostAsJsonAsync($"/api/projects/{_projectId}/tasks", new { title = "Homepage copy", responsibleStaffId = _tomId })).EnsureSuccessStatusCode();
        await _world.SettledAsync();
    }

    [TearDown]
    public async Task TearDown() => await _world.DisposeAsync();

    private Task<HttpResponseMessage> PatchAsync(long id, object body) =>
        _world.Api.PatchAsJsonAsync($"/api/staff/{id}", body);

    [Test]
    public async Task DeactivatedByTheApi_SomeoneWhoLeft_HasNoStaffPowerLeft_AndTheirOpenTasksAreListedForReassignment()
    {
        var response = await PatchAsync(_tomId, new { active = false });
        var member = await response.Content.ReadFromJsonAsync<JsonElement>();
        await _world.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains("Tom Petit is no longer on staff") == true));

        // In the topic: not relayed to any client.
        _world.Telegram.ClientSends(AgencyWorld.StaffChat, "Your new password is X9", userId: Tom, firstName: "Tom", threadId: _topic);
        // In the client's group: a client's message now (relayed to staff, opens a waiting period), not an answer.
        _world.Telegram.ClientSends(AcmeGroup, "I am Tom, answering here", userId: Tom, firstName: "Tom");
        // Privately: no /my, no /staff, no /digest.
        _world.Telegram.ClientSends(Tom, "/my", firstName: "Tom");
        await _world.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains("I am Tom, answering here") == true));
        await _world.WaitForAsync(s => s.Count(m => m.ChatId == Tom) >= 2);
        await _world.SettledAsync();

        var notice = _world.Telegram.SentTo(AgencyWorld.StaffChat).Last(m => m.Text?.Contains("no longer on staff") == true);
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(member.GetProperty("active").GetBoolean(), Is.False);
            Assert.That(_world.Telegram.Sent.Where(m => m.Text?.Contains("X9") == true), Is.Empty, "nothing Tom writes reaches a client");
            Assert.That(await _world.Db.ScalarAsync<long>("SELECT COUNT(*) FROM messages WHERE direction = 'staff' OR text LIKE '%X9%'"), Is.Zero,
                "not taken as an answer at all: not recorded, not held, nothing asked");
            Assert.That(await _world.Db.ScalarAsync<long>("SELECT COUNT(*) FROM held_messages WHERE reason = 'recipient'"), Is.Zero);
            Assert.That(await _world.Db.ScalarAsync<long>("SELECT COUNT(*) FROM conversations WHERE chat_id = @AcmeGroup AND waiting_since IS NOT NULL",
                new { AcmeGroup }), Is.EqualTo(1), "Tom's message in the group waits for an answer like a client's");
            Assert.That(_world.Telegram.SentTo(Tom).Last().Text, Is.EqualTo(ClientTexts.Get("NotLinked", "en")), "no /my for someone who left");
            Assert.That(notice.Text, Does.Contain("#1 Homepage copy"));
            Assert.That(notice.ThreadId, Is.EqualTo(_topic));
            Assert.That(await _world.Db.ScalarAsync<long>("SELECT responsible_id FROM tasks WHERE number = 1"), Is.EqualTo(_tomId), "history stays");
            Assert.That(await _world.Db.ScalarAsync<string>("SELECT kind FROM staff_events WHERE staff_id = @_tomId ORDER BY id DESC LIMIT 1", new { _tomId }),
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

        var events = await _world.Db.QueryAsync<string>("SELECT kind || ': ' || COALESCE(detail, '') FROM staff_events WHERE staff_id = @_tomId ORDER BY id", new { _tomId });
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
        _world.Telegram.ClientSends(Paul, "/start", firstName: "Paul");
        await _world.WaitForAsync(s => s.Any(m => m.ChatId == Paul));
        _world.Telegram.ClientSends(Paul, "/staff", firstName: "Paul");
        var list = (await _world.WaitForAsync(s => s.Any(m => m.ChatId == Paul && m.Text?.StartsWith("Staff (") == true)))
            .Last(m => m.ChatId == Paul && m.Text?.StartsWith("Staff (") == true);

        _world.Telegram.Presses(Paul, list.MessageId, list.Button("Tom"), userId: Paul, firstName: "Paul");
        var menu = await NextWithButtonsAsync(Paul, "Tom Petit is assistant");
        _world.Telegram.Presses(Paul, menu.MessageId, menu.Button("Deactivate"), userId: Paul, firstName: "Paul");
        var confirm = await NextWithButtonsAsync(Paul, "Deactivate Tom Petit?");
        _world.Telegram.Presses(Paul, confirm.MessageId, confirm.Button("Yes"), userId: Paul, firstName: "Paul");
        _world.Telegram.Presses(Paul, confirm.MessageId, confirm.Button("Yes"), userId: Paul, firstName: "Paul");
        await CallbackAnswersAsync(4);
        await _world.SettledAsync();

        var answers = _world.Telegram.Requests.Where(r => r.Method == "answerCallbackQuery").Select(r => (string?)r.Body["text"]).ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(await _world.Db.ScalarAsync<long>("SELECT active FROM staff WHERE id = @_tomId", new { _tomId }), Is.Zero);
            Assert.That(await _world.Db.ScalarAsync<long>("SELECT COUNT(*) FROM staff_events WHERE kind = 'deactivated'"), Is.EqualTo(1));
            Assert.That(answers, Has.Member("Tom Petit is already deactivated."), "the second tap does nothing");
            Assert.That(_world.Telegram.SentTo(AgencyWorld.StaffChat).Count(m => m.Text?.Contains("Tom Petit is no longer on staff") == true), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task StaffButtons_PressedBySomeoneWhoIsNotAManager_DoNothing()
    {
        _world.Telegram.ClientSends(Paul, "/start", firstName: "Paul");
        await _world.WaitForAsync(s => s.Any(m => m.ChatId == Paul));
        _world.Telegram.ClientSends(Paul, "/staff", firstName: "Paul");
        var list = (await _world.WaitForAsync(s => s.Any(m => m.ChatId == Paul && m.Text?.StartsWith("Staff (") == true)))
            .Last(m => m.ChatId == Paul && m.Text?.StartsWith("Staff (") == true);

        // Tom (an assistant) forges Paul's confirmation from his own private chat, and Anna (a client) from hers.
        var data = $"s:D:{_tomId}";
        _world.Telegram.Presses(Tom, list.MessageId, data, userId: Tom, firstName: "Tom");
        _world.Telegram.Presses(Anna, list.MessageId, data, userId: Anna, firstName: "Anna");
        _world.Telegram.ClientSends(AgencyWorld.StaffChat, "/staff", userId: AgencyWorld.Assistant, firstName: "Marie", threadId: _topic);
        await CallbackAnswersAsync(2);
        await _world.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text == "Only managers can change who is on staff."));
        await _world.SettledAsync();

        Assert.That(await _world.Db.ScalarAsync<long>("SELECT active FROM staff WHERE id = @_tomId", new { _tomId }), Is.EqualTo(1));
    }

    private Task CallbackAnswersAsync(int count) =>
        Eventually.HoldsAsync(() => Task.FromResult(_world.Telegram.Requests.Count(r => r.Method == "answerCallbackQuery")), n => n >= count,
            AgencyWorld.Timeout, $"{count} button presses answered");

    private async Task<SentMessage> NextWithButtonsAsync(long chat, string text) =>
        (await _world.WaitForAsync(s => s.Any(m => m.ChatId == chat && m.Text?.StartsWith(text) == true)))
            .Last(m => m.ChatId == chat && m.Text?.StartsWith(text) == true);

}

using System.Net;
using System.Net.Http.Json;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Conversations;

/// <summary>Saved answers: managed by the API and /saved, sent with /r in the client's language with their name filled
/// in, and found with inline mode by staff only.</summary>
public sealed class SavedAnswersTests : AgencyTest
{
    private const long Anna = 601;
    private long _projectId;
    private int _topic;

    [SetUp]
    public async Task ClientAsksAsync()
    {
        _projectId = await World.ProjectWithClientAsync(Anna);
        (await World.Api.PatchAsJsonAsync($"/api/projects/{_projectId}", new { language = "fr" })).EnsureSuccessStatusCode();
        (await World.Api.PutAsJsonAsync("/api/saved-answers/thanks", new
        {
            texts = new Dictionary<string, string> { ["en"] = "Thanks {name}, we are on it for {project}.", ["fr"] = "Merci {name}, on s'en occupe pour {project}." },
        })).EnsureSuccessStatusCode();
        World.Telegram.ClientSends(Anna, "Le site est lent", firstName: "Anna");
        _topic = await World.TopicAsync();
        await World.WaitForAsync(s => s.Any(m => m.ThreadId == _topic && m.Text?.Contains("Le site est lent") == true));
    }

    private void MarieWrites(string text) =>
        World.Telegram.ClientSends(AgencyWorld.StaffChat, text, userId: AgencyWorld.Assistant, firstName: "Marie", threadId: _topic);

    [Test]
    public async Task R_SendsTheSavedAnswer_InTheClientsLanguage_WithTheirNameAndProject_AsAnAnswer()
    {
        MarieWrites("/r thanks");
        var answer = (await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.StartsWith("Merci") == true))).Single(m => m.ChatId == Anna && m.Text?.StartsWith("Merci") == true);
        MarieWrites("/r nope");
        var unknown = (await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("There is no saved answer “nope”") == true))).Last(m => m.Text?.Contains("nope") == true);
        await World.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(answer.Text, Is.EqualTo("Merci Anna, on s'en occupe pour Website launch.\n— Marie"));
            Assert.That(unknown.Text, Does.Contain("/r thanks (en, fr)"), "the list of what there is");
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM response_log"), Is.EqualTo(1), "it is the answer");
            Assert.That(await World.Db.ScalarAsync<string>("SELECT text FROM messages WHERE direction = 'staff'"), Does.StartWith("Merci Anna"),
                "recorded as the client read it");
        });
    }

    [Test]
    public async Task Saved_SavesAndDeletes_AndTheApiRefusesAnUnknownPlaceholder()
    {
        MarieWrites("/saved hello en Hello {name}, welcome aboard!");
        await World.WaitForAsync(s => s.Any(m => m.Text?.StartsWith("💾 Saved “hello” in en") == true));
        MarieWrites("/saved thanks delete");
        await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("“thanks” is no longer a saved answer") == true));
        var bad = await World.Api.PutAsJsonAsync("/api/saved-answers/bad", new { texts = new Dictionary<string, string> { ["en"] = "Hi {firstname}" } });
        var all = await World.Api.GetAsAsync<SavedAnswerAnswer[]>("/api/saved-answers");

        Assert.Multiple(async () =>
        {
            Assert.That(all.Select(a => a.Shortcut), Is.EqualTo(new[] { "hello" }));
            Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM saved_answers WHERE shortcut = 'thanks'"), Is.EqualTo(4),
                "two texts, then two rows taking them away: nothing overwritten");
        });
    }

    [Test]
    public async Task InlineMode_ShowsSavedAnswersToStaffOnly_AndAPickedOneIsFilledInForTheClient()
    {
        World.Telegram.InlineQueries(AgencyWorld.Assistant, "thank", firstName: "Marie");
        World.Telegram.InlineQueries(Anna, "thank", firstName: "Anna");
        var answers = await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Requests.Where(r => r.Method == "answerInlineQuery").ToList()),
            r => r.Count == 2, AgencyWorld.Timeout, "both inline queries answered");
        var forMarie = answers.Single(r => r.Body["results"]!.AsArray().Count > 0);
        World.Telegram.ClientSendsViaBot(AgencyWorld.StaffChat, "Thanks {name}, we are on it for {project}.", AgencyWorld.Assistant, "Marie", _topic);
        var sent = (await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.StartsWith("Thanks") == true))).Single(m => m.ChatId == Anna && m.Text?.StartsWith("Thanks") == true);

        Assert.Multiple(() =>
        {
            Assert.That(answers.Select(r => r.Body["results"]!.AsArray().Count).Order(), Is.EqualTo(new[] { 0, 2 }), "Anna finds nothing; Marie both languages");
            Assert.That(answers.All(r => (bool?)r.Body["is_personal"] == true && (int?)r.Body["cache_time"] == 0));
            Assert.That(forMarie.Body["results"]![0]!["input_message_content"]!["message_text"]!.GetValue<string>(), Does.Contain("{name}"),
                "the client's name is filled in when it is sent, per client");
            Assert.That(sent.Text, Is.EqualTo("Thanks Anna, we are on it for Website launch.\n— Marie"));
        });
    }
}

using System.Net;
using System.Text.Json.Nodes;

namespace Dtp.Gen3;

/// <summary>Peregrine answered a GraphQL query with <c>errors</c> (syntax errors, unknown fields, bad variables).</summary>
public sealed class Gen3GraphQLException : Gen3ApiException
{
    /// <summary>Creates a GraphQL error.</summary>
    public Gen3GraphQLException()
        : this("The GraphQL query failed.")
    {
    }

    /// <summary>Creates a GraphQL error with the given message.</summary>
    public Gen3GraphQLException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates a GraphQL error with the given message and cause.</summary>
    public Gen3GraphQLException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    /// <summary>Creates a GraphQL error from the server's answer.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="errors">The server's <c>errors</c> list (peregrine sends strings).</param>
    /// <param name="data">The partial <c>data</c> member, if any.</param>
    /// <param name="url">The URL called.</param>
    /// <param name="statusCode">The HTTP status answered.</param>
    public Gen3GraphQLException(string message, IReadOnlyList<string> errors, JsonObject? data, Uri? url, HttpStatusCode? statusCode)
        : base(message, url, statusCode, errors.Count > 0 ? errors[0] : null)
    {
        Errors = errors;
        PartialData = data;
    }

    /// <summary>Gets the server's error messages, in its order.</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>Gets the partial data that came with the errors, if any.</summary>
    public JsonObject? PartialData { get; }
}

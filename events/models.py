# Events, ticket types and registrations arrive with the events issue (#6).

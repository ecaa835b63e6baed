package tools

// All returns every tool, bound to d. Adding a tool is one line here.
func All(d *Deps) []Tool {
	return []Tool{
		whoami(d),
		listConnections(d),
		connectVendor(d),
		refreshConnection(d),
		disconnectVendor(d),
		listProperties(d),
		getProperty(d),
		listReservations(d),
		getReservation(d),
		getCalendar(d),
		updateCalendar(d),
		listConversations(d),
		getMessages(d),
		sendMessage(d),
		listReviews(d),
		replyToReview(d),
		listSites(d),
		getFootfall(d),
		listDrafts(d),
		revenueSummary(d),
		findGapNights(d),
		listTurnovers(d),
		findReservation(d),
		listInquiries(d),
		listPayouts(d),
		listTransactions(d),
		listTasks(d),
		updateStay(d),
		sendQuote(d),
		saveTask(d),
	}
}

"""Short articles written for the end-to-end tests: one shared person, varied places and boilerplate."""

PLACES = ["Accra", "Lagos", "Nairobi", "Dakar", "Kampala", "Kigali", "Lusaka", "Harare", "Maputo", "Luanda",
          "Abuja", "Addis Ababa", "Dar es Salaam", "Windhoek", "Gaborone", "Bamako", "Niamey", "Conakry",
          "Freetown", "Monrovia"]  # fmt: skip
MINISTERS = ["Kwame Mensah", "Ngozi Eze", "Wanjiru Kamau", "Moussa Diop", "Grace Nakato", "Eric Habimana",
             "Mutale Banda", "Tendai Moyo", "Lina Machel", "Joao Lourenco", "Bala Usman", "Selam Tesfaye",
             "Rehema Mushi", "Hilma Shikongo", "Kabo Molefe", "Awa Keita", "Issa Maiga", "Fanta Camara",
             "Abu Kamara", "Sia Johnson"]  # fmt: skip


def article(index: int) -> str:
    place, minister = PLACES[index], MINISTERS[index]
    surname = minister.split()[-1]
    return f"""Home
News
Business
Sign up to our daily newsletter Please enter a valid email address
{place} hosts regional trade talks
Share on Facebook
Trade ministers from across the region met in {place} on Monday for talks led by the African Union envoy Amina Diallo.
Local trade minister {minister} said the meeting would focus on cutting tariffs on farm goods and on new rail links.
"We have waited too long for this," {surname} told reporters after the first session in {place}.
Ms Diallo said the African Union hoped to agree a common customs code by the end of next year.
Related stories
Cookie settings
"""
